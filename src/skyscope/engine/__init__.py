"""skyscope.engine: run async-generator plans on the caller's loop and emit their documents."""

from ._claims import CLAIMS, Claim, Claims, DeviceInUse
from ._context import Context, Handler
from ._driver import Finished, PlanDriver
from ._engine import Engine
from ._errors import (
    DataKeyCollision,
    EngineError,
    EngineStateError,
    FailedPause,
    FailedStatus,
    IllegalMessageSequence,
    InvalidCommand,
    InvalidReading,
    PlanExited,
    RequestAbort,
    RequestStop,
    SubscriberFailed,
    WaitForTimeoutError,
    WaitTimeout,
)
from ._handle import RunHandle
from ._metadata import MetadataValidator, PersistentDict
from ._msg import Msg, Parallel, Plan, Return, make_msg
from ._no_replay import NoReplayAllowed
from ._progress import ProgressCallback, ProgressUpdate, RichProgress
from ._registry import COMMANDS, Command, CustomHandler
from ._run_context import RunContext, sigint_while_running
from ._run_progress import RunProgress
from ._simulation import (
    DEFAULT_MAX_MESSAGES,
    AxisMoves,
    DoneStatus,
    DryRunLimit,
    DryRunSummary,
    OutOfLimits,
)
from ._state import NO_PLAN_RETURN, EngineState, RunResult
from ._state_hook import StateHook
from ._subscriber_error import SubscriberError
from ._suspenders import (
    SuspendBoolHigh,
    SuspendBoolLow,
    SuspendCeil,
    Suspender,
    SuspendFloor,
    SuspendInBand,
    SuspendOutOfBand,
)

__all__ = [
    # running plans
    "Engine",
    "EngineState",
    "RunResult",
    "NO_PLAN_RETURN",
    "RunContext",
    "sigint_while_running",
    "StateHook",
    "RunHandle",
    "RunProgress",
    "Msg",
    "make_msg",
    "Return",
    "Parallel",
    "Plan",
    "Finished",
    "PlanDriver",
    "CustomHandler",
    # one device, one driver
    "CLAIMS",
    "Claim",
    "Claims",
    # commands and dry runs
    "Command",
    "COMMANDS",
    "Context",
    "Handler",
    "DryRunSummary",
    "AxisMoves",
    "OutOfLimits",
    "DoneStatus",
    "DryRunLimit",
    "DEFAULT_MAX_MESSAGES",
    # metadata and progress
    "PersistentDict",
    "MetadataValidator",
    "ProgressCallback",
    "ProgressUpdate",
    "RichProgress",
    "SubscriberError",
    # suspenders
    "Suspender",
    "SuspendBoolHigh",
    "SuspendBoolLow",
    "SuspendCeil",
    "SuspendFloor",
    "SuspendInBand",
    "SuspendOutOfBand",
    # errors
    "DataKeyCollision",
    "EngineError",
    "EngineStateError",
    "DeviceInUse",
    "FailedPause",
    "FailedStatus",
    "IllegalMessageSequence",
    "InvalidCommand",
    "NoReplayAllowed",
    "RequestAbort",
    "RequestStop",
    "SubscriberFailed",
    "WaitForTimeoutError",
    "InvalidReading",
    "PlanExited",
    "WaitTimeout",
]

"""skyscope.devices: protocols, statuses, signals, the device tree, and generic soft devices."""

from ..documents import StreamAsset
from ._backend import ReadingCallback, SignalBackend
from ._datatypes import StrictEnum
from ._device import DEFAULT_TIMEOUT, Device, DeviceVector
from ._errors import (
    LimitsError,
    NotConnectedError,
    StatusCancelledError,
    StatusFailedError,
    StatusTimeoutError,
)
from ._mock import MockSignalBackend
from ._mock_helpers import (
    callback_on_mock_put,
    get_mock,
    get_mock_puts,
    reset_mock_puts,
    set_mock_put_fails,
    set_mock_put_proceeds,
    set_mock_value,
)
from ._protocols import (
    Checkable,
    Collectable,
    Configurable,
    Flyable,
    HasHints,
    HasName,
    HasParent,
    Hints,
    Locatable,
    Location,
    Movable,
    Pausable,
    Preparable,
    Readable,
    Stageable,
    StatusProtocol,
    Stoppable,
    Subscribable,
    Triggerable,
    Watchable,
    WritesStreamAssets,
)
from ._readable import Kind, StandardReadable
from ._signal import Signal, SignalR, SignalRW, SignalW, SignalX
from ._soft import LimitsLike, SignalMetadata, SoftSignalBackend
from ._soft_detector import Compute, SoftDetector, gaussian
from ._soft_motor import SoftMotor
from ._soft_signals import SoftMetadata, soft_signal_r_and_setter, soft_signal_rw, soft_signal_x
from ._status import Status, StatusCallback
from ._watchable import WatchableStatus, Watcher, WatcherUpdate

__all__ = [
    # protocols: what an object can do
    "Checkable",
    "Collectable",
    "Configurable",
    "Flyable",
    "HasHints",
    "HasName",
    "HasParent",
    "Hints",
    "Locatable",
    "Location",
    "Movable",
    "Pausable",
    "Preparable",
    "Readable",
    "Stageable",
    "StatusProtocol",
    "Stoppable",
    "StreamAsset",
    "Subscribable",
    "Triggerable",
    "Watchable",
    "WritesStreamAssets",
    # statuses and errors
    "Status",
    "StatusCallback",
    "WatchableStatus",
    "Watcher",
    "WatcherUpdate",
    "StatusFailedError",
    "StatusTimeoutError",
    "StatusCancelledError",
    "LimitsError",
    "NotConnectedError",
    # signals and backends
    "Signal",
    "SignalR",
    "SignalW",
    "SignalRW",
    "SignalX",
    "SignalBackend",
    "ReadingCallback",
    "SignalMetadata",
    "SoftSignalBackend",
    "LimitsLike",
    "SoftMetadata",
    "MockSignalBackend",
    "StrictEnum",
    "soft_signal_rw",
    "soft_signal_r_and_setter",
    "soft_signal_x",
    # mock helpers for tests
    "get_mock",
    "set_mock_value",
    "get_mock_puts",
    "reset_mock_puts",
    "set_mock_put_proceeds",
    "set_mock_put_fails",
    "callback_on_mock_put",
    # the device tree
    "DEFAULT_TIMEOUT",
    "Device",
    "DeviceVector",
    "Kind",
    "StandardReadable",
    # generic soft devices
    "SoftMotor",
    "SoftDetector",
    "Compute",
    "gaussian",
]

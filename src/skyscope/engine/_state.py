"""The engine's states and what a run's result says about how it ended."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Literal

from ._dispatcher import SubscriberError

ExitStatus = Literal["success", "abort", "fail"]


class EngineState(enum.StrEnum):
    """Where the engine is: idle, running a plan, or on its way to pausing or ending one."""

    IDLE = "idle"
    RUNNING = "running"
    PAUSING = "pausing"
    PAUSED = "paused"
    SUSPENDED = "suspended"
    STOPPING = "stopping"
    ABORTING = "aborting"
    HALTING = "halting"


@dataclass(frozen=True)
class RunResult:
    """What ``await engine(plan)`` (or ``resume``, ``stop``…) returns."""

    run_start_uids: tuple[str, ...]
    exit_status: ExitStatus | None
    """How the plan ended; None while it is paused."""
    reason: str = ""
    plan_result: Any = None
    state: EngineState = EngineState.IDLE
    exception: BaseException | None = None
    subscriber_errors: tuple[SubscriberError, ...] = field(default_factory=tuple)

    @property
    def paused(self) -> bool:
        """True when the plan is paused and ``await engine.resume()`` will continue it."""
        return self.state is EngineState.PAUSED

    @property
    def interrupted(self) -> bool:
        """True when the plan did not run to its natural end (paused, stopped, aborted, failed)."""
        return self.paused or self.exit_status != "success" or bool(self.reason)

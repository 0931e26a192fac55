"""The engine's states and what a run's result says about how it ended."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Literal

from ._subscriber_error import SubscriberError

ExitStatus = Literal["success", "abort", "fail"]


class _NoPlanReturn:
    """The type of ``NO_PLAN_RETURN``: one instance, shown by its name."""

    _instance: _NoPlanReturn | None = None

    def __new__(cls) -> _NoPlanReturn:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_PLAN_RETURN"


NO_PLAN_RETURN: Any = _NoPlanReturn()
"""``RunResult.plan_result`` of a plan that never returned (stopped, aborted, failed, halted):
a plan may return None itself, so None cannot say so (bluesky's ``RE.NO_PLAN_RETURN``)."""


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
    plan_result: Any = NO_PLAN_RETURN
    """What the plan returned; ``NO_PLAN_RETURN`` if it never did."""
    state: EngineState = EngineState.IDLE
    exception: BaseException | None = None
    subscriber_errors: tuple[SubscriberError, ...] = field(default_factory=tuple)
    """Every subscriber that raised (the final stop document included) or was detached."""

    @property
    def problems(self) -> tuple[str, ...]:
        """What went wrong with subscribers: one readable line per subscriber and error type."""
        counts: dict[tuple[str, str], int] = {}
        first: dict[tuple[str, str], SubscriberError] = {}
        for error in self.subscriber_errors:
            key = (error.subscriber, error.error_type)
            counts[key] = counts.get(key, 0) + 1
            first.setdefault(key, error)
        return tuple(
            str(error) + (f" (and {counts[key] - 1} more like it)" if counts[key] > 1 else "")
            for key, error in first.items()
        )

    @property
    def paused(self) -> bool:
        """True when the plan is paused and ``await engine.resume()`` will continue it."""
        return self.state is EngineState.PAUSED

    @property
    def interrupted(self) -> bool:
        """True when the plan did not run to its natural end (paused, stopped, aborted, failed)."""
        return self.paused or self.exit_status != "success" or bool(self.reason)

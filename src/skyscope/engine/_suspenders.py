"""Suspenders: watch a signal and hold the plan while a condition holds (beam down, stage hot…).

A suspender subscribes to its signal when installed. When the condition trips, the engine
interrupts the current step as for a pause, runs the suspender's ``pre_plan``, waits until
every suspender has cleared, sleeps ``sleep`` seconds, runs ``post_plan``, rewinds to the
last checkpoint and carries on — no one has to press resume.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any

PlanFactory = Callable[[], Any]


class Suspender(ABC):
    """Watch ``signal``; tell the engine when its condition trips and when it clears."""

    def __init__(
        self,
        signal: Any,
        *,
        sleep: float = 0.0,
        pre_plan: PlanFactory | None = None,
        post_plan: PlanFactory | None = None,
    ) -> None:
        if sleep < 0:
            raise ValueError(f"a suspender's sleep must be ≥ 0 s, got {sleep}")
        self.signal = signal
        self.sleep = sleep
        self.pre_plan = pre_plan
        self.post_plan = post_plan
        self.tripped = False
        self.last_value: Any = None
        self._cleared = asyncio.Event()
        self._cleared.set()
        self._on_trip: Callable[[Suspender], None] | None = None

    @abstractmethod
    def should_suspend(self, value: Any) -> bool:
        """True when ``value`` must hold the plan."""

    def should_resume(self, value: Any) -> bool:
        """True when ``value`` lets a held plan go on (override for hysteresis)."""
        return not self.should_suspend(value)

    @property
    def reason(self) -> str:
        """Why the plan is held, for logs and the user."""
        name = getattr(self.signal, "name", repr(self.signal))
        return f"{type(self).__name__} on {name!r} tripped at value {self.last_value!r}"

    def install(self, on_trip: Callable[[Suspender], None]) -> None:
        """Start watching; ``on_trip`` is called each time the condition trips."""
        self._on_trip = on_trip
        self.signal.subscribe(self._on_reading)

    def remove(self) -> None:
        """Stop watching."""
        self.signal.clear_sub(self._on_reading)
        self._on_trip = None
        self.tripped = False
        self._cleared.set()

    async def wait_cleared(self) -> None:
        """Return once the condition has cleared."""
        await self._cleared.wait()

    def _on_reading(self, reading: Mapping[str, Any]) -> None:
        value = next(iter(reading.values()))["value"]
        self.last_value = value
        if not self.tripped and self.should_suspend(value):
            self.tripped = True
            self._cleared.clear()
            if self._on_trip is not None:
                self._on_trip(self)
        elif self.tripped and self.should_resume(value):
            self.tripped = False
            self._cleared.set()


class SuspendBoolHigh(Suspender):
    """Hold the plan while the signal is truthy (an interlock raised)."""

    def should_suspend(self, value: Any) -> bool:
        """Truthy values hold the plan."""
        return bool(value)


class SuspendBoolLow(Suspender):
    """Hold the plan while the signal is falsy (a permit dropped)."""

    def should_suspend(self, value: Any) -> bool:
        """Falsy values hold the plan."""
        return not bool(value)


class SuspendFloor(Suspender):
    """Hold the plan while the value is below ``floor``; resume at ``resume_at`` (≥ floor)."""

    def __init__(
        self, signal: Any, floor: float, *, resume_at: float | None = None, **kwargs: Any
    ) -> None:
        super().__init__(signal, **kwargs)
        self.floor = floor
        self.resume_at = floor if resume_at is None else resume_at
        if self.resume_at < floor:
            raise ValueError(f"resume_at ({resume_at}) must be ≥ floor ({floor})")

    def should_suspend(self, value: Any) -> bool:
        """Below the floor holds the plan."""
        return bool(value < self.floor)

    def should_resume(self, value: Any) -> bool:
        """At or above ``resume_at`` lets it go on."""
        return bool(value >= self.resume_at)


class SuspendCeil(Suspender):
    """Hold the plan while the value is above ``ceil``; resume at ``resume_at`` (≤ ceil)."""

    def __init__(
        self, signal: Any, ceil: float, *, resume_at: float | None = None, **kwargs: Any
    ) -> None:
        super().__init__(signal, **kwargs)
        self.ceil = ceil
        self.resume_at = ceil if resume_at is None else resume_at
        if self.resume_at > ceil:
            raise ValueError(f"resume_at ({resume_at}) must be ≤ ceil ({ceil})")

    def should_suspend(self, value: Any) -> bool:
        """Above the ceiling holds the plan."""
        return bool(value > self.ceil)

    def should_resume(self, value: Any) -> bool:
        """At or below ``resume_at`` lets it go on."""
        return bool(value <= self.resume_at)


class SuspendOutOfBand(Suspender):
    """Hold the plan while the value is outside ``[low, high]``."""

    def __init__(self, signal: Any, low: float, high: float, **kwargs: Any) -> None:
        super().__init__(signal, **kwargs)
        if low > high:
            raise ValueError(f"band low ({low}) must be ≤ high ({high})")
        self.low, self.high = low, high

    def should_suspend(self, value: Any) -> bool:
        """Outside the band holds the plan."""
        return not (self.low <= value <= self.high)


class SuspendInBand(SuspendOutOfBand):
    """Hold the plan while the value is inside ``[low, high]``."""

    def should_suspend(self, value: Any) -> bool:
        """Inside the band holds the plan."""
        return bool(self.low <= value <= self.high)


class RequestedSuspension(Suspender):
    """A one-off hold asked for with ``engine.request_suspend``: until ``until()`` completes.

    It is how bluesky's suspender objects (and anything else that only knows when the plan may
    go on) hold a plan: tripped from the start, cleared when the awaitable finishes, then gone.
    """

    def __init__(
        self,
        until: Callable[[], Any] | Any,
        *,
        pre_plan: PlanFactory | None = None,
        post_plan: PlanFactory | None = None,
        justification: str = "",
        on_cleared: Callable[[Suspender], None] | None = None,
    ) -> None:
        super().__init__(None, pre_plan=pre_plan, post_plan=post_plan)
        self._until = until
        self._justification = justification
        self._on_cleared = on_cleared
        self.tripped = True
        self._cleared.clear()

    def should_suspend(self, value: Any) -> bool:
        """Always: the hold lasts until ``until`` completes, whatever any signal says."""
        return True

    @property
    def reason(self) -> str:
        """The justification given with the request."""
        return self._justification or "suspension requested"

    def install(self, on_trip: Callable[[Suspender], None]) -> None:
        """Nothing to watch: the hold is already tripped."""

    def remove(self) -> None:
        """Forget the hold (it no longer holds the plan)."""
        self.tripped = False
        self._cleared.set()

    async def wait_cleared(self) -> None:
        """Wait for ``until`` to complete, then clear (and leave the engine's suspenders)."""
        if self._cleared.is_set():
            return
        waited = self._until() if callable(self._until) else self._until
        await waited
        self.remove()
        if self._on_cleared is not None:
            self._on_cleared(self)

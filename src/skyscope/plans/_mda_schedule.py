"""The time-lapse clock of an MDA: when each frame is due, and how late it started.

useq gives each event a ``min_start_time`` in seconds since the event timer was last reset
(``reset_event_timer``). The schedule turns that into a moment on the monotonic clock. It is
the ``obj`` of the plan's waiting messages, so the engine calls its ``pause``/``resume``
(bluesky's ``Pausable``): a pause shifts every later due time by the time spent paused.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class Schedule:
    """Due times of frames relative to the event timer, shifted by pauses."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        """Start the run's clock now; ``clock`` returns seconds (monotonic)."""
        self._clock = clock
        self._start = clock()
        self._origin = self._start
        self._paused_at: float | None = None
        self.paused_s = 0.0
        """Total time spent paused so far."""

    @property
    def name(self) -> str:
        """A name for messages and logs."""
        return "mda-schedule"

    def reset_timer(self) -> None:
        """Make later ``min_start_time`` values count from now (useq's ``reset_event_timer``)."""
        self._origin = self._clock()

    def due(self, min_start_time: float | None) -> float:
        """Return when an event is due on the clock (now, if it has no ``min_start_time``)."""
        if min_start_time is None:
            return self._clock()
        return self._origin + min_start_time

    def elapsed(self, moment: float | None = None) -> float:
        """Return seconds from the run's start to ``moment`` (default: now)."""
        return (self._clock() if moment is None else moment) - self._start

    def now(self) -> float:
        """Return the clock's time."""
        return self._clock()

    async def wait_until(self, min_start_time: float | None) -> None:
        """Sleep until the event is due; re-evaluated after a pause, so it waits only the rest."""
        delay = self.due(min_start_time) - self._clock()
        if delay > 0:
            await asyncio.sleep(delay)

    def pause(self) -> None:
        """The engine paused: remember when."""
        if self._paused_at is None:
            self._paused_at = self._clock()

    def resume(self) -> None:
        """The engine resumed: shift the schedule by the pause's length."""
        if self._paused_at is not None:
            gap = self._clock() - self._paused_at
            self._origin += gap
            self.paused_s += gap
            self._paused_at = None

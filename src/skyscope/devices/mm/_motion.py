"""Following a Micro-Manager move until the device is idle, as progress updates.

A move is started on the worker (which returns at once on real hardware), then followed: each
position the core announces (``stagePositionChanged``…) and each poll of the device's busy flag
and position becomes a ``WatcherUpdate``. The worker is free between polls, so ``stop()`` is
heard while the stage travels.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from .._watchable import WatcherUpdate

P = TypeVar("P")

FOLLOW_POLL_S = 0.01
"""How often a move in progress asks the core whether the device is still busy."""


@dataclass
class Progress(Generic[P]):
    """Turns positions of one move into updates: distance travelled towards the target."""

    name: str
    initial: P
    target: P
    distance: Callable[[P, P], float]
    unit: str = "um"
    started: float = field(default_factory=time.monotonic)

    def at(self, position: P, arrived: bool = False) -> WatcherUpdate[float]:
        """Return the update for the device at ``position``."""
        total = self.distance(self.initial, self.target)
        left = self.distance(position, self.target)
        fraction = 1.0 if arrived or total == 0 else max(0.0, min(1.0, 1 - left / total))
        return WatcherUpdate(
            current=total - left,
            initial=0.0,
            target=total,
            name=self.name,
            unit=self.unit,
            fraction=fraction,
            time_elapsed=time.monotonic() - self.started,
        )


def along_line(a: Any, b: Any) -> float:
    """Distance between two positions: numbers, or (x, y) pairs."""
    if isinstance(a, tuple):
        return math.dist(a, b)
    return abs(float(a) - float(b))


async def follow(
    poll: Callable[[], Awaitable[tuple[bool, P]]],
    heard: asyncio.Queue[P],
    busy: bool,
    poll_s: float = FOLLOW_POLL_S,
) -> AsyncIterator[P]:
    """Yield positions (announced ones as they come, polled ones) until the device is idle."""
    polled = time.monotonic()
    while busy:
        position = await _next(heard, polled + poll_s - time.monotonic())
        if position is not None:
            yield position
        if time.monotonic() - polled >= poll_s:
            busy, position = await poll()
            polled = time.monotonic()
            yield position


async def _next(queue: asyncio.Queue[P], timeout: float) -> P | None:
    """Return the next announced position, or ``None`` if none comes within ``timeout``."""
    if not queue.empty() or timeout <= 0:
        return queue.get_nowait() if not queue.empty() else None
    try:
        async with asyncio.timeout(timeout):
            return await queue.get()
    except TimeoutError:
        return None

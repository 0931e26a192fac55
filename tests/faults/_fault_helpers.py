"""Helpers of the fault suite: wait for a condition, measure the event loop's longest stall."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import TracebackType


async def until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Return once ``condition()`` holds (checked every few ms); fail after ``timeout`` s."""
    async with asyncio.timeout(timeout):
        while True:
            if condition():
                return
            await asyncio.sleep(0.002)


class LoopStallMeter:
    """A ticker task on the loop: ``longest`` is the worst lateness of its 1 ms sleeps."""

    PERIOD_S = 0.001

    def __init__(self) -> None:
        self.longest = 0.0
        self.ticks = 0
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> LoopStallMeter:
        self._task = asyncio.create_task(self._tick())
        await asyncio.sleep(0)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(self.PERIOD_S)
            self.longest = max(self.longest, loop.time() - before - self.PERIOD_S)
            self.ticks += 1

"""Helpers for the Micro-Manager tests: documents by kind, waiting on a condition, a ticker."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skyscope.devices.mm import MMMicroscope
    from skyscope.devices.mm.demo import DemoRig

RigFactory = Callable[..., "DemoRig"]
"""The ``rig_factory`` fixture: ``demo_rig`` options in, a rig closed after the test out."""
ScopeFactory = Callable[..., Awaitable[tuple["MMMicroscope", "DemoRig"]]]
"""The ``scope_factory`` fixture: rig options, then ``build_microscope`` options."""


def of(documents: list[tuple[str, Any]], kind: str) -> list[Any]:
    """The documents of one kind, in order."""
    return [doc for name, doc in documents if name == kind]


def primary_events(documents: list[tuple[str, Any]]) -> list[Any]:
    """The events of the primary stream, in order (an MDA also reads a baseline)."""
    uids = {d["uid"] for d in of(documents, "descriptor") if d["name"] == "primary"}
    return [e for e in of(documents, "event") if e["descriptor"] in uids]


async def until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait until ``predicate()`` holds (polled: the condition has no event to wait on)."""
    async with asyncio.timeout(timeout):
        while not predicate():  # noqa: ASYNC110 - no event to wait on
            await asyncio.sleep(0.002)


class Ticker:
    """A task ticking every ``period`` s on the loop, recording the longest gap between ticks."""

    def __init__(self, period: float = 0.005) -> None:
        self.period = period
        self.ticks = 0
        self.longest_gap = 0.0
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Ticker:
        self._task = asyncio.create_task(self._tick())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)

    async def _tick(self) -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(self.period)
            now = time.monotonic()
            self.longest_gap = max(self.longest_gap, now - last)
            self.ticks += 1
            last = now

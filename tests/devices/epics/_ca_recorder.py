"""A subscriber that records values and lets a test wait for one to arrive."""

from __future__ import annotations

import asyncio
from typing import Any


class Recorder:
    """Call it with values (``signal.subscribe_value(recorder)``); await ``arrival(value)``."""

    def __init__(self) -> None:
        self.values: list[Any] = []
        self._changed = asyncio.Event()

    def __call__(self, value: Any) -> None:
        self.values.append(value)
        self._changed.set()

    async def arrival(self, value: Any, timeout: float = 5.0) -> None:
        async with asyncio.timeout(timeout):
            while value not in self.values:
                self._changed.clear()
                await self._changed.wait()

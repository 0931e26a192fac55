"""Status changes pushed to listeners, each numbered, none skipped, in order.

Every listener has its own queue. A listener that falls ``capacity`` changes behind is cut
off (its iterator ends) rather than letting memory grow or silently skipping changes: it
reconnects and reads the status afresh.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

DEFAULT_CAPACITY = 10_000


class StatusFeed:
    """Numbered status snapshots, fanned out to every listener."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        """Cut off a listener that has ``capacity`` changes waiting."""
        self.capacity = capacity
        self.seq = 0
        self._listeners: set[asyncio.Queue[dict[str, Any] | None]] = set()

    def publish(self, status: dict[str, Any]) -> int:
        """Number ``status`` (adding ``"seq"``) and hand it to every listener; return its seq."""
        self.seq += 1
        status["seq"] = self.seq
        for queue in list(self._listeners):
            if queue.qsize() >= self.capacity:
                self._listeners.discard(queue)
                queue.put_nowait(None)  # beyond capacity by one: the end marker
            else:
                queue.put_nowait(status)
        return self.seq

    async def listen(self, current: dict[str, Any] | None = None) -> AsyncIterator[dict[str, Any]]:
        """Yield ``current`` (if given), then every status published from now on."""
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self._listeners.add(queue)
        try:
            if current is not None:
                yield current
            while (status := await queue.get()) is not None:
                yield status
        finally:
            self._listeners.discard(queue)

    def close(self) -> None:
        """End every listener's iterator."""
        for queue in self._listeners:
            queue.put_nowait(None)
        self._listeners.clear()

    @property
    def listeners(self) -> int:
        """How many listeners are attached."""
        return len(self._listeners)

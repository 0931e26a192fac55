"""``CoreWorker``: the one thread every call to a Micro-Manager core goes through.

A ``CMMCorePlus`` is not thread-safe and most of its calls block (a snap takes the exposure
time, a config waits for a filter wheel), so no call runs on the event loop: each is queued to
a single worker thread, in order, and awaited. Each loop may have at most ``max_pending`` calls
queued at once (a bounded queue: callers wait their turn instead of piling work up).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

R = TypeVar("R")
P = ParamSpec("P")

DEFAULT_MAX_PENDING = 64
"""How many calls one event loop may have queued to the core before callers wait."""


class CoreWorker:
    """Runs calls on one core, one at a time, on a dedicated thread; awaitable from any loop."""

    def __init__(self, core: Any, *, max_pending: int = DEFAULT_MAX_PENDING) -> None:
        """Serve ``core`` (a ``CMMCorePlus``, or ``UniMMCore``; or none yet) from a new thread."""
        self.core = core
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mm-core")
        self._max_pending = max_pending
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )
        self._closed = False

    @property
    def closed(self) -> bool:
        """Whether ``close()`` was called (no more calls are accepted)."""
        return self._closed

    async def call(self, function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Run ``function(*args)`` on the worker thread and return its result (or raise)."""
        loop = asyncio.get_running_loop()
        async with self._slot(loop):
            future = self._submit(function, *args, **kwargs)
            return await asyncio.wrap_future(future, loop=loop)

    def submit(
        self,
        function: Callable[[], R],
        done: Callable[[R], None],
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        """Run ``function()`` on the worker thread and hand its result to ``done`` on ``loop``.

        Fire and forget, without a task: for signal subscriptions' first readings. An error is
        dropped (the next core event brings the value instead).
        """
        future = self._submit(function)

        def deliver(finished: Future[R]) -> None:
            if finished.cancelled() or finished.exception() is not None or loop.is_closed():
                return
            loop.call_soon_threadsafe(done, finished.result())

        future.add_done_callback(deliver)

    def _submit(self, function: Callable[..., R], *args: Any, **kwargs: Any) -> Future[R]:
        if self._closed:
            raise RuntimeError("the Micro-Manager core worker is closed: no more calls")
        return self._executor.submit(function, *args, **kwargs)

    def _slot(self, loop: asyncio.AbstractEventLoop) -> asyncio.Semaphore:
        slots = self._slots.get(loop)
        if slots is None:
            slots = self._slots[loop] = asyncio.Semaphore(self._max_pending)
        return slots

    def close(self, wait: bool = True) -> None:
        """Refuse further calls; with ``wait``, let the queued ones finish first."""
        self._closed = True
        self._executor.shutdown(wait=wait, cancel_futures=not wait)

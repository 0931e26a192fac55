"""One subscriber's bounded buffer and the consumer that empties it: a loop task or a thread.

The engine (on the loop) is the only producer: it checks ``has_room`` (or waits in
``wait_for_room``) and then ``push``es. The consumer takes documents in order and calls the
subscriber. A ``LoopSubscription`` runs async subscribers, and synchronous ones that asked for
no thread, in a task on the loop; a ``ThreadSubscription`` runs a synchronous subscriber on its
own daemon thread, so a slow one never stalls the loop. Either can be ``detach``ed: its buffered
documents are dropped and the engine stops waiting for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from ._subscriber_error import SubscriberError, raised

logger = logging.getLogger(__name__)

Subscriber = Callable[[str, Any], None] | Callable[[str, Any], Awaitable[None]]
"""A document consumer: a sync or async callable taking ``(name, doc)``."""

Deadline = Callable[[], float | None]
"""Returns the loop time by which the engine stops waiting for subscribers, or None."""

END = "\x00end"
"""The buffer entry that tells a consumer to finish once everything before it is delivered."""

SLOW_ON_LOOP_S = 0.05
"""A synchronous subscriber on the loop taking longer than this per document gets a warning."""


class Subscription(ABC):
    """A subscriber, its bounds, its buffer of ``(name, doc, nbytes)`` and its consumer."""

    def __init__(
        self,
        callback: Subscriber,
        *,
        token: int,
        critical: bool,
        max_docs: int,
        max_bytes: int,
        record: Callable[[SubscriberError], None],
    ) -> None:
        self.callback = callback
        self.token = token
        self.name = _name_of(callback)
        self.critical = critical
        self.max_docs = max_docs
        self.max_bytes = max_bytes
        self.buffer: deque[tuple[str, Any, int]] = deque()
        self.nbytes = 0
        """The estimated bytes of the documents buffered."""
        self.running = False
        """True from ``start`` until the consumer has finished (or was detached)."""
        self.ending = False
        self.detached = False
        self._record = record
        self._room = asyncio.Event()

    def has_room(self, nbytes: int) -> bool:
        """True when a document of ``nbytes`` fits (an empty buffer takes any one document)."""
        buffered = len(self.buffer)
        return not buffered or (buffered < self.max_docs and self.nbytes + nbytes <= self.max_bytes)

    async def wait_for_room(self, nbytes: int, deadline: Deadline) -> bool:
        """Wait until a document of ``nbytes`` fits; False if ``deadline()`` passes first."""
        loop = asyncio.get_running_loop()
        while not self._claim_room(nbytes):
            when = deadline()
            if when is None:
                await self._room.wait()
            elif when <= loop.time():
                return False
            else:
                try:
                    async with asyncio.timeout_at(when):
                        await self._room.wait()
                except TimeoutError:
                    continue  # look once more before giving up
        return True

    def wake(self) -> None:
        """Make a producer waiting for room look again (the deadline changed)."""
        self._room.set()

    def end(self) -> None:
        """Let the consumer finish after delivering what is buffered."""
        if self.running and not self.ending:
            self.ending = True
            self.push(END, None, 0)

    @abstractmethod
    def push(self, name: str, doc: Any, nbytes: int) -> None:
        """Buffer a document (bounds are the producer's to check)."""

    @abstractmethod
    def start(self) -> None:
        """Start the consumer on the running loop."""

    @abstractmethod
    def finished(self) -> asyncio.Future[Any]:
        """A future done when the consumer has delivered everything up to the end marker."""

    @abstractmethod
    def detach(self) -> int:
        """Stop consuming: drop the buffered documents, return how many were dropped."""

    @abstractmethod
    def _claim_room(self, nbytes: int) -> bool:
        """True if a document fits; otherwise arrange to be woken when room appears."""

    def _fail(self, name: str, doc: Any, error: Exception) -> None:
        record = raised(self.name, name, doc, error, self.critical)
        logger.error(
            "subscriber %s raised on %s document %s:\n%s",
            self.name,
            name,
            record.uid,
            record.traceback,
        )
        self._record(record)

    def _drop_buffer(self) -> int:
        dropped = sum(1 for name, _doc, _n in self.buffer if name != END)
        self.buffer.clear()
        self.nbytes = 0
        return dropped


class LoopSubscription(Subscription):
    """A subscriber called by a task on the event loop (async ones, and sync ones that asked)."""

    def __init__(self, callback: Subscriber, *, is_async: bool, **kwargs: Any) -> None:
        super().__init__(callback, **kwargs)
        self.is_async = is_async
        self._not_empty = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._warned = False

    def push(self, name: str, doc: Any, nbytes: int) -> None:
        """Buffer a document and wake the consumer."""
        self.buffer.append((name, doc, nbytes))
        self.nbytes += nbytes
        self._not_empty.set()

    def start(self) -> None:
        """Start the consumer task."""
        self.running, self.ending = True, False
        self._task = asyncio.get_running_loop().create_task(
            self._consume(), name=f"skyscope-subscriber-{self.name}"
        )

    def finished(self) -> asyncio.Future[Any]:
        """The consumer task."""
        if self._task is None:
            raise RuntimeError(f"subscriber {self.name} was never started")
        return self._task

    def detach(self) -> int:
        """Drop the buffer and cancel the consumer task (and with it the subscriber's call)."""
        self.detached = True
        if self._task is not None:
            self._task.cancel()
        return self._drop_buffer()

    def _claim_room(self, nbytes: int) -> bool:
        if self.has_room(nbytes):
            return True
        self._room.clear()
        return False

    async def _consume(self) -> None:
        buffer = self.buffer
        while True:
            if not buffer:
                self._not_empty.clear()
                await self._not_empty.wait()
                continue
            name, doc, nbytes = buffer.popleft()
            self.nbytes -= nbytes
            self._room.set()
            if name == END:
                return
            if self.is_async:
                await self._deliver_async(name, doc)
            else:  # no coroutine per document for the usual, synchronous subscriber
                self._deliver(name, doc)

    async def _deliver_async(self, name: str, doc: Any) -> None:
        try:
            await self.callback(name, doc)  # type: ignore[misc]
        except Exception as error:  # a subscriber's bug must not kill the run
            self._fail(name, doc, error)

    def _deliver(self, name: str, doc: Any) -> None:
        try:
            started = time.perf_counter()
            self.callback(name, doc)
            if time.perf_counter() - started > SLOW_ON_LOOP_S:
                self._warn_slow(name, time.perf_counter() - started)
        except Exception as error:  # a subscriber's bug must not kill the run
            self._fail(name, doc, error)

    def _warn_slow(self, name: str, seconds: float) -> None:
        if not self._warned:
            self._warned = True
            logger.warning(
                "subscriber %s held the event loop for %.0f ms on a %r document: subscribe "
                "it with thread=True to run it on its own thread",
                self.name,
                seconds * 1e3,
                name,
            )


class ThreadSubscription(Subscription):
    """A synchronous subscriber called on its own daemon thread, fed by the bounded buffer."""

    def __init__(self, callback: Subscriber, **kwargs: Any) -> None:
        super().__init__(callback, **kwargs)
        self._cond = threading.Condition(threading.Lock())
        self._producer_waiting = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._finished: asyncio.Future[None] | None = None

    def push(self, name: str, doc: Any, nbytes: int) -> None:
        """Buffer a document and wake the worker thread."""
        with self._cond:
            self.buffer.append((name, doc, nbytes))
            self.nbytes += nbytes
            self._cond.notify()

    def start(self) -> None:
        """Start the worker thread (a daemon: a subscriber that never returns cannot hold exit)."""
        self.running, self.ending = True, False
        self._loop = asyncio.get_running_loop()
        self._finished = self._loop.create_future()
        worker = threading.Thread(
            target=self._work, name=f"skyscope-subscriber-{self.name}", daemon=True
        )
        worker.start()

    def finished(self) -> asyncio.Future[Any]:
        """Done when the worker thread has delivered everything up to the end marker."""
        if self._finished is None:
            raise RuntimeError(f"subscriber {self.name} was never started")
        return self._finished

    def detach(self) -> int:
        """Drop the buffer; the thread exits by itself once the subscriber's call returns."""
        with self._cond:
            self.detached = True
            dropped = self._drop_buffer()
            self.buffer.append((END, None, 0))
            self._cond.notify()
        if self._finished is not None and not self._finished.done():
            self._finished.cancel()
        return dropped

    def _claim_room(self, nbytes: int) -> bool:
        with self._cond:
            if self.has_room(nbytes):
                return True
            self._producer_waiting = True
            self._room.clear()
            return False

    def _work(self) -> None:
        name = ""
        while name != END:
            with self._cond:
                while not self.buffer:
                    self._cond.wait()
                if self.detached:
                    return
                name, doc, nbytes = self.buffer.popleft()
                self.nbytes -= nbytes
                wake, self._producer_waiting = self._producer_waiting, False
            if wake:
                self._notify(self._room.set)
            if name != END:
                self._deliver(name, doc)
            doc = None  # hold no document while waiting for the next
        self._notify(self._set_finished)

    def _deliver(self, name: str, doc: Any) -> None:
        try:
            self.callback(name, doc)
        except Exception as error:  # a subscriber's bug must not kill the run
            self._fail(name, doc, error)

    def _set_finished(self) -> None:
        if self._finished is not None and not self._finished.done():
            self._finished.set_result(None)

    def _notify(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` on the loop (a closed loop has no one left to tell)."""
        loop = self._loop
        if loop is not None and not self.detached:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(callback)


def _name_of(callback: Any) -> str:
    """A function's qualified name, or a callable object's class name."""
    name = getattr(callback, "__qualname__", None)
    return name if isinstance(name, str) else type(callback).__qualname__

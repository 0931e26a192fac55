"""Deliver every document to every subscriber, in order, through a bounded buffer each.

Each subscriber has its own buffer, bounded in documents and in bytes, and its own consumer (a
task on the loop, or a thread for a synchronous subscriber that prefers one), so a slow one
holds back only the engine (by backpressure, once its buffer is full) and never the others
beyond that bound. A subscriber that raises is logged and recorded as text; one marked
critical fails the run instead. Once the engine is in a hurry (abort, halt, stop, a cancelled
run, or the drain timeout at the end of a plan) it waits for a subscriber until a deadline
only, then detaches it: its consumer is cancelled or abandoned and what it had not received is
dropped, so a hung subscriber can never hang a run.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
from typing import Any

from ._doc_size import document_nbytes
from ._subscriber_error import SubscriberError, detached
from ._subscription import (
    LoopSubscription,
    Subscriber,
    Subscription,
    ThreadSubscription,
)

logger = logging.getLogger(__name__)

DEFAULT_BUFFER_DOCS = 1000
"""Documents a subscriber's buffer holds before the engine waits for it."""

DEFAULT_BUFFER_BYTES = 64 * 2**20
"""Bytes (estimated: arrays' nbytes plus a constant per document) likewise."""

ESCAPE_TIMEOUT_S = 1.0
"""How long abort/halt/stop or a cancelled run waits for subscribers before detaching them."""

MIN_DRAIN_S = 0.1
"""The least time the final drain gives subscribers, even when a deadline has just passed."""

# How long a cancelled subscriber task may take to end before the engine moves on.
_CANCEL_WAIT_S = 0.1

__all__ = ["Dispatcher", "Subscriber", "SubscriberError"]


class Dispatcher:
    """The engine's document fan-out: ``subscribe``, ``emit``, and consumers per run session."""

    def __init__(
        self,
        default_capacity: int = DEFAULT_BUFFER_DOCS,
        default_capacity_bytes: int = DEFAULT_BUFFER_BYTES,
    ) -> None:
        _check_bounds(default_capacity, default_capacity_bytes)
        self._subs: dict[int, Subscription] = {}
        self._retiring: list[Subscription] = []
        self._gone: set[int] = set()
        self._next_token = 0
        self._default_capacity = default_capacity
        self._default_capacity_bytes = default_capacity_bytes
        self._active = False
        self._deadline: float | None = None
        self._grace = 0.0
        self._hurried: asyncio.Future[None] | None = None
        self._lock = threading.Lock()
        self.errors: list[SubscriberError] = []
        self.critical_error: SubscriberError | None = None

    # --- subscribers -----------------------------------------------------------------------

    def subscribe(
        self,
        callback: Subscriber,
        *,
        critical: bool = False,
        capacity: int | None = None,
        capacity_bytes: int | None = None,
        thread: bool | None = None,
    ) -> int:
        """Add a subscriber; return the token that ``unsubscribe`` takes."""
        if not callable(callback):
            raise TypeError(f"a subscriber must be callable as (name, doc), got {callback!r}")
        docs = self._default_capacity if capacity is None else capacity
        nbytes = self._default_capacity_bytes if capacity_bytes is None else capacity_bytes
        _check_bounds(docs, nbytes)
        is_async = _is_async_callable(callback)
        on_thread = _wants_thread(callback, thread, is_async)
        token = self._next_token  # from 0, as bluesky's: a plan's unsubscribe(0) names it
        self._next_token += 1
        kwargs: dict[str, Any] = {
            "token": token,
            "critical": critical,
            "max_docs": docs,
            "max_bytes": nbytes,
            "record": self._record,
        }
        sub: Subscription
        if on_thread:
            sub = ThreadSubscription(callback, **kwargs)
        else:
            sub = LoopSubscription(callback, is_async=is_async, **kwargs)
        self._subs[token] = sub
        if self._active:
            sub.start()
        return token

    def unsubscribe(self, token: int) -> None:
        """Remove a subscriber; documents already buffered for it are still delivered."""
        sub = self._subs.pop(token, None)
        if sub is None:
            if token in self._gone:
                return  # detached by the engine already
            raise KeyError(f"no subscriber with token {token}")
        if sub.running:
            sub.end()
            self._retiring.append(sub)

    def __len__(self) -> int:
        return len(self._subs)

    @property
    def buffered_bytes(self) -> int:
        """The estimated bytes of all documents waiting for subscribers."""
        return sum(sub.nbytes for sub in (*self._subs.values(), *self._retiring))

    def buffered_bytes_of(self, token: int) -> int:
        """The estimated bytes of the documents waiting for the subscriber ``token`` names."""
        return self._subs[token].nbytes

    # --- a run session ---------------------------------------------------------------------

    def reset(self) -> None:
        """Forget the errors and the hurry of the last run (a new run starts)."""
        self.errors.clear()
        self.critical_error = None
        self.calm()

    def start(self) -> None:
        """Start one consumer per subscriber on the running loop."""
        self._active = True
        for sub in self._subs.values():
            if not sub.running:
                sub.start()

    async def stop(self, timeout: float | None = None) -> None:
        """Deliver everything buffered, then end the consumers.

        Waits without limit unless the engine is in a hurry or ``timeout`` is given; a
        subscriber still busy at the deadline is detached.
        """
        self._active = False
        running = [sub for sub in (*self._subs.values(), *self._retiring) if sub.running]
        for sub in running:
            sub.end()
        loop = asyncio.get_running_loop()
        if timeout is not None:
            self._hurry_by(loop.time() + timeout, timeout)
        pending = {sub.finished(): sub for sub in running}
        while pending:
            stop_at = self._deadline
            if stop_at is not None:
                stop_at = max(stop_at, loop.time() + MIN_DRAIN_S)
            hurried = self._hurried_future(loop) if stop_at is None else None
            waiting = {*pending, hurried} if hurried is not None else set(pending)
            done, _ = await asyncio.wait(
                waiting,
                timeout=None if stop_at is None else stop_at - loop.time(),
                return_when=asyncio.FIRST_COMPLETED,
            )
            for future in done & pending.keys():
                pending.pop(future).running = False
            if not done:
                for sub in list(pending.values()):
                    await self._detach(sub)
                pending.clear()
        self._retiring.clear()

    def hurry(self, grace: float) -> None:
        """From now on wait at most ``grace`` seconds more for any subscriber."""
        loop = asyncio.get_running_loop()
        self._hurry_by(loop.time() + grace, grace)

    def calm(self) -> None:
        """Wait for subscribers without limit again (backpressure only)."""
        self._deadline = None
        self._hurried = None

    # --- documents in ----------------------------------------------------------------------

    def push(self, name: str, doc: Any) -> None:
        """Buffer a document for every subscriber without waiting (for monitor callbacks)."""
        self._push_all(name, doc, document_nbytes(name, doc))

    def offer(self, name: str, doc: Any) -> bool:
        """Buffer the document for every subscriber now if each has room; else buffer nothing.

        The engine's hot path (an event per point) takes this, and awaits ``emit`` only when
        a buffer is full.
        """
        nbytes = document_nbytes(name, doc)
        for sub in self._subs.values():
            if not sub.has_room(nbytes):
                return False
        self._push_all(name, doc, nbytes)
        return True

    async def emit(self, name: str, doc: Any) -> None:
        """Wait until every subscriber's buffer has room for the document, then buffer it."""
        nbytes = document_nbytes(name, doc)
        await self._make_room(nbytes)  # at once when every buffer has room
        self._push_all(name, doc, nbytes)

    # --- inside ----------------------------------------------------------------------------

    def _push_all(self, name: str, doc: Any, nbytes: int) -> None:
        for sub in self._subs.values():
            sub.push(name, doc, nbytes)

    async def _make_room(self, nbytes: int) -> None:
        """Wait for every buffer to have room; detach a subscriber that overruns the deadline."""
        while True:
            blocked = next((s for s in self._subs.values() if not s.has_room(nbytes)), None)
            if blocked is None:
                return
            if not await blocked.wait_for_room(nbytes, self._current_deadline):
                await self._detach(blocked)

    def _current_deadline(self) -> float | None:
        return self._deadline

    def _hurry_by(self, deadline: float, grace: float) -> None:
        if self._deadline is not None and self._deadline <= deadline:
            return
        self._deadline, self._grace = deadline, grace
        if self._hurried is not None and not self._hurried.done():
            self._hurried.set_result(None)
        self._hurried = None
        for sub in (*self._subs.values(), *self._retiring):
            sub.wake()

    def _hurried_future(self, loop: asyncio.AbstractEventLoop) -> asyncio.Future[None]:
        if self._hurried is None:
            self._hurried = loop.create_future()
        return self._hurried

    async def _detach(self, sub: Subscription) -> None:
        """Give up on ``sub``: drop what it had not received, report it, and forget it."""
        dropped = sub.detach()
        sub.running = False
        self._subs.pop(sub.token, None)
        if sub in self._retiring:
            self._retiring.remove(sub)
        self._gone.add(sub.token)
        record = detached(sub.name, self._grace, dropped, sub.critical)
        logger.error("subscriber %s %s", sub.name, record.message)
        self._record(record)
        consumer = sub.finished()
        if isinstance(consumer, asyncio.Task) and not consumer.done():
            await asyncio.wait({consumer}, timeout=_CANCEL_WAIT_S)

    def _record(self, error: SubscriberError) -> None:
        """Keep a subscriber's error (called from the loop or a subscriber's thread)."""
        with self._lock:
            self.errors.append(error)
            if error.critical and self.critical_error is None:
                self.critical_error = error


def _check_bounds(docs: int, nbytes: int) -> None:
    if docs < 1:
        raise ValueError(f"a subscriber's buffer must hold at least 1 document, got {docs}")
    if nbytes < 1:
        raise ValueError(f"a subscriber's buffer must hold at least 1 byte, got {nbytes}")


def _wants_thread(callback: Any, thread: bool | None, is_async: bool) -> bool:
    """Whether ``callback`` runs on its own thread: as asked, or as it prefers."""
    if thread is None:
        return not is_async and bool(getattr(callback, "prefers_thread", False))
    if thread and is_async:
        raise TypeError(
            f"subscriber {callback!r} is async: it runs on the event loop, thread=True is for "
            "synchronous subscribers (drop thread=True, or make it a plain function)"
        )
    return thread


def _is_async_callable(callback: Any) -> bool:
    return inspect.iscoroutinefunction(callback) or inspect.iscoroutinefunction(
        getattr(callback, "__call__", None)  # noqa: B004 - objects with an async __call__
    )

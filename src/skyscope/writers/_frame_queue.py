"""A bounded hand-off from the event loop to one worker thread that owns a frame sink.

The loop side never blocks and never copies a frame: it waits (asynchronously) while
``depth`` frames are in flight, then passes the array's reference to the thread. The thread
writes frames in order and makes them visible to readers (``sync``), counting the synced frames
as acknowledged: at once when the loop waits for a frame (``flush``, ``acknowledged_at_least``),
and otherwise per flush. A sync can cost more than a frame (a file's metadata rewritten), so the
thread syncs when it catches up with the queue only if the last sync took at most
``1/SYNC_SHARE`` of the time since; and at least every ``flush_every`` seconds. A slow camera
gets each frame acknowledged as soon as it is written, a fast one gets them in batches.
The thread counts written frames itself and wakes the loop only when someone waits, so a
producer that keeps ahead of the disk costs no loop wake-up per frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from ._errors import FrameWriterError
from ._frame_sink import FrameSink
from ._stream_assets import Frame


@dataclass(frozen=True)
class _Control:
    """A request to the worker thread, answered through ``reply`` on the loop."""

    kind: Literal["flush", "close"]
    reply: asyncio.Future[int]


SYNC_SHARE = 10
"""Caught up, the worker syncs once a sync costs at most 1/10 of the time since the last."""

_WAKE = "wake"
"""Tells an idle worker that the loop now waits for an acknowledgement (``_ack_wanted``)."""


class FrameQueue:
    """Feeds frames to a sink on a worker thread, at most ``depth`` frames in flight."""

    def __init__(
        self,
        make_sink: Callable[[], FrameSink],
        *,
        what: str,
        depth: int,
        flush_every: float,
    ) -> None:
        self._make_sink = make_sink
        self._what = what
        self._depth = depth
        self._flush_every = flush_every
        self._loop = asyncio.get_running_loop()
        self._queue: queue.SimpleQueue[tuple[int, Frame] | _Control | str] = queue.SimpleQueue()
        self._space = asyncio.Event()
        self._pending: set[asyncio.Future[int]] = set()
        self._producer_waits = False
        self._ack_wanted = 0  # > acknowledged: the loop waits for that many (thread tells it)
        self._acknowledgement = asyncio.Event()
        self._queued = 0
        self._closing = False
        self._written = 0
        self._acknowledged = 0
        self._error: FrameWriterError | None = None
        self._error_reported = False
        self._sink: FrameSink | None = None
        self._stage = "creating it"
        self._sync_due = 0.0  # the worker's clock: sync by then at the latest
        self._cheap_sync_at = 0.0  # and, when caught up with the queue, from then on
        self._ready: asyncio.Future[int] = self._loop.create_future()
        self._thread = threading.Thread(target=self._run, name=f"frame writer: {what}", daemon=True)

    @property
    def acknowledged(self) -> int:
        """Return how many frames are written and visible to readers."""
        return self._acknowledged

    @property
    def in_flight(self) -> int:
        """Return how many frames the queue holds (waiting or being written)."""
        return self._queued - self._written

    @property
    def is_open(self) -> bool:
        """Return whether frames may be put (started, not yet closed; failed still counts)."""
        return self._thread.ident is not None and not self._closing

    @property
    def error(self) -> FrameWriterError | None:
        """Return the failure that stopped the worker, if any."""
        return self._error

    async def start(self) -> FrameSink:
        """Start the worker thread, which creates the sink; return the sink once it exists."""
        self._pending.add(self._ready)
        self._thread.start()
        try:
            await self._ready
        except FrameWriterError:
            self._error_reported = True
            self._thread.join()
            raise
        finally:
            self._pending.discard(self._ready)
        assert self._sink is not None
        return self._sink

    async def put(self, frame: Frame) -> int:
        """Hand ``frame`` to the worker, waiting while the queue is full; return its index."""
        self._check_room()
        while self._queued - self._written >= self._depth:
            self._space.clear()
            self._producer_waits = True  # set before looking again: the thread checks it after
            if self._queued - self._written < self._depth:  # counting a written frame
                break
            await self._space.wait()
            self._check_room()
        self._producer_waits = False
        index = self._queued
        self._queued += 1
        self._queue.put((index, frame))
        return index

    def _check_room(self) -> None:
        """Raise the worker's failure, or a ValueError if the file holds no more frames."""
        self.raise_if_failed()
        capacity = self._sink.capacity if self._sink is not None else None
        if capacity is not None and self._queued >= capacity:
            raise ValueError(
                f"{self._what} holds {capacity} frame(s) (its declared dimensions): "
                f"frame {self._queued} does not fit"
            )

    async def flush(self) -> int:
        """Wait until every queued frame is written and synced; return the acknowledged count."""
        return await self._request("flush")

    async def acknowledged_at_least(self, count: int) -> int:
        """Wait until ``count`` frames are acknowledged (not for later ones); return the count.

        The worker syncs as soon as it has written frame ``count``, so this waits for the disk
        only as far as ``count``, while later frames keep coming.
        """
        if count > self._queued:
            raise ValueError(f"cannot wait for {count} frames: only {self._queued} were queued")
        while self._acknowledged < count:
            self.raise_if_failed()
            self._acknowledgement.clear()
            self._ack_wanted = count  # set before looking again: the thread checks it after
            if self._acknowledged >= count:  # syncing
                break
            self._queue.put(_WAKE)  # the worker may be idle, with frame ``count`` unsynced
            await self._acknowledgement.wait()
        self._ack_wanted = 0
        self.raise_if_failed()
        return self._acknowledged

    async def close(self) -> None:
        """Write and sync what is queued, close the sink and stop the thread."""
        self._closing = True
        if self._thread.is_alive() and self._error is None:
            try:
                await self._request("close")
            finally:
                self._thread.join()
        self._thread.join()
        self.raise_if_failed(only_once=True)

    def raise_if_failed(self, *, only_once: bool = False) -> None:
        """Raise the worker's failure (with ``only_once``: unless it was already raised)."""
        if self._error is None or (only_once and self._error_reported):
            return
        self._error_reported = True
        raise self._error

    async def _request(self, kind: Literal["flush", "close"]) -> int:
        """Queue a control request behind the frames and wait for the worker's answer."""
        self.raise_if_failed()
        reply: asyncio.Future[int] = self._loop.create_future()
        self._pending.add(reply)
        self._queue.put(_Control(kind, reply))
        try:
            return await reply
        except FrameWriterError:
            self._error_reported = True
            raise
        finally:
            self._pending.discard(reply)

    # --- loop-side callbacks, scheduled by the worker thread ---

    def _room_made(self) -> None:
        self._space.set()

    def _acknowledged_more(self) -> None:
        self._acknowledgement.set()

    def _answer(self, reply: asyncio.Future[int], value: int) -> None:
        if not reply.done():
            reply.set_result(value)

    def _failed(self) -> None:
        assert self._error is not None
        for reply in self._pending:
            if not reply.done():
                reply.set_exception(self._error)
        self._space.set()
        self._acknowledgement.set()

    def _notify(self, callback: Callable[..., None], *args: object) -> None:
        """Schedule ``callback`` on the loop (a closed loop has no one left to tell)."""
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(callback, *args)

    # --- the worker thread ---

    def _run(self) -> None:
        try:
            self._sync_due = time.monotonic() + self._flush_every
            self._sink = self._make_sink()
            self._notify(self._answer, self._ready, 0)
            self._serve(self._sink)
        except BaseException as exc:
            self._fail(exc)

    def _serve(self, sink: FrameSink) -> None:
        """Write frames in order and answer requests until asked to close."""
        while True:
            item = self._next_item()
            if item is None or isinstance(item, str):  # a flush period ended, or the loop waits
                if item is None or self._written >= self._ack_wanted > 0:
                    self._sync(sink)
                continue
            if isinstance(item, _Control):
                self._sync(sink)
                if item.kind == "close":
                    self._stage = "closing it"
                    sink.close(self._written)
                    self._notify(self._answer, item.reply, self._acknowledged)
                    return
                self._notify(self._answer, item.reply, self._acknowledged)
                continue
            index, frame = item
            del item
            self._stage = f"writing frame {index}"
            sink.reserve(index + 1 + self._queue.qsize())
            sink.write(index, frame)
            del frame
            self._written = index + 1
            if self._producer_waits:
                self._producer_waits = False
                self._notify(self._room_made)
            if self._sync_wanted():
                self._sync(sink)

    def _sync_wanted(self) -> bool:
        """Whether to sync now: someone waits, a flush period ended, or caught up and cheap."""
        now = time.monotonic()
        if (self._ack_wanted and self._written >= self._ack_wanted) or now >= self._sync_due:
            return True
        return now >= self._cheap_sync_at and self._queue.empty()

    def _next_item(self) -> tuple[int, Frame] | _Control | str | None:
        """Return the next item, or ``None`` when frames written wait for their sync."""
        if self._written == self._acknowledged:
            return self._queue.get()
        due = min(self._sync_due, self._cheap_sync_at)
        try:
            return self._queue.get(timeout=max(0.0, due - time.monotonic()))
        except queue.Empty:
            return None

    def _sync(self, sink: FrameSink) -> None:
        if self._written != self._acknowledged:
            self._stage = f"making frames up to {self._written} visible"
            start = time.monotonic()
            sink.sync(self._written)
            end = time.monotonic()
            self._sync_due = end + self._flush_every
            self._cheap_sync_at = end + SYNC_SHARE * (end - start)
            self._acknowledged = self._written
            if self._ack_wanted and self._acknowledged >= self._ack_wanted:
                self._ack_wanted = 0
                self._notify(self._acknowledged_more)

    def _fail(self, exc: BaseException) -> None:
        """Record the failure, keep what was written readable, drop the queue, tell the loop."""
        if self._sink is not None:
            self._salvage(self._sink)
        error = FrameWriterError(
            f"{self._what}: {self._stage} failed: {type(exc).__name__}: {exc} "
            f"({self._acknowledged} frame(s) acknowledged and kept)"
        )
        error.__cause__ = exc
        self._error = error
        self._drain()
        self._notify(self._failed)

    def _salvage(self, sink: FrameSink) -> None:
        """Close the sink holding the frames written so far; acknowledge them if that works."""
        try:
            sink.close(self._written)
        except BaseException:  # the original failure is the one to report
            return
        self._acknowledged = self._written

    def _drain(self) -> None:
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                return

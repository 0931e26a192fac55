"""An engine subscriber that publishes every document to NATS JetStream, never losing one.

``engine.subscribe(BusPublisher("nats://host:4222", instrument="scope1"))``. Each document is
published to ``skyscope.<instrument>.<run uid>.<name>`` with a stable ``Nats-Msg-Id`` and counts
as sent only once JetStream acknowledges it; a republish after a lost connection is dropped by
the stream's duplicate window. The subscriber itself only queues: a sender task publishes in
order, a window of messages at a time. While the server is unreachable, or once the memory
bound is reached, documents go to a spool file and are published from it, in order, when the
server answers again, so an acquisition never waits for the network.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from skyscope import _paths
from skyscope.documents import to_msgpack

from ._bus_errors import BusError, BusPublishError
from ._bus_outbox import Outbox
from ._bus_spool import Outgoing
from ._bus_stream import DEFAULT_STREAM, check_url, connect, ensure_stream
from ._bus_subjects import RunRouter, check_token, message_id, subject

if TYPE_CHECKING:
    from nats.aio.client import Client
    from nats.js import JetStreamContext

logger = logging.getLogger(__name__)

DEFAULT_BUFFER_BYTES = 16 * 2**20
"""Bytes of documents held in memory for the bus before they go to the spool file."""

WINDOW = 256
"""Messages published before their acknowledgements are awaited (in order, on one connection)."""

ACK_TIMEOUT_S = 2.0
"""How long a window waits for JetStream's acknowledgements before it is sent again."""

STOP_TIMEOUT_S = 10.0
"""How long a stop waits for its run to be acknowledged before the run reports a problem."""

CONNECT_WAIT_S = 2.0
"""How long starting waits for the first connection before documents go to the spool."""

RETRY_S = 0.25
"""Pause after a failed publish or connection attempt."""


class BusPublisher:
    """Publish an engine's documents to a JetStream stream, spooling while the server is away."""

    def __init__(
        self,
        url: str,
        *,
        instrument: str,
        stream: str = DEFAULT_STREAM,
        buffer_bytes: int = DEFAULT_BUFFER_BYTES,
        spool: str | Path | None = None,
        stop_timeout: float = STOP_TIMEOUT_S,
    ) -> None:
        """Publish to ``url`` as ``instrument`` (one subject token, e.g. ``"scope-2"``).

        ``spool`` is the file documents wait in while the bus is away (default:
        ``bus-<instrument>.spool`` in the skyscope data directory); a spool a dead publisher
        left is published first. ``stop_timeout``: how long a stop document waits for its run
        to be acknowledged before the run's result says some documents are still on their way
        (it does not wait while the server is known to be away).
        """
        self.url = check_url(url)
        self.instrument = check_token(instrument, "instrument")
        self.stream = check_token(stream, "stream name")
        if stop_timeout < 0:
            raise ValueError(f"stop_timeout must be ≥ 0 seconds, got {stop_timeout}")
        self.stop_timeout = stop_timeout
        self.spool_path = (
            Path(spool) if spool is not None else _paths.data_dir() / f"bus-{instrument}.spool"
        )
        self._outbox = Outbox(self.spool_path, buffer_bytes)
        self._router = RunRouter()
        self._client: Client | None = None
        self._sender: asyncio.Task[None] | None = None
        self._starting: asyncio.Future[None] | None = None
        self._closed = False
        self._unreachable = True
        self._reached = asyncio.Event()
        self.published = 0
        """Documents JetStream acknowledged (a duplicate it dropped counts too)."""
        self.duplicates = 0
        """Of those, how many the stream had already (republished after a lost connection)."""

    def __repr__(self) -> str:
        """The server and instrument."""
        return f"<BusPublisher {self.instrument} → {self.url} {self.stream}>"

    @property
    def online(self) -> bool:
        """Does the server answer (as far as the last attempt to reach it tells)?"""
        return not self._unreachable and self._client is not None and self._client.is_connected

    @property
    def pending(self) -> bool:
        """Are some documents not yet acknowledged by the bus?"""
        return not self._outbox.empty

    @property
    def spooled(self) -> int:
        """Documents that went to the spool file (the bus was away or the buffer full)."""
        return self._outbox.spooled_documents

    async def start(self) -> None:
        """Open the spool and start publishing (the first document does it if not called)."""
        if self._closed:
            raise BusError(f"{self!r} is closed; make a new publisher")
        if self._starting is None:
            self._starting = asyncio.ensure_future(self._start())
        await asyncio.shield(self._starting)

    async def _start(self) -> None:
        await self._outbox.open()
        self._sender = asyncio.create_task(self._send_forever(), name=f"bus sender {self}")
        # give the first connection a moment, so a healthy bus is not mistaken for a lost one
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(CONNECT_WAIT_S):
                await self._reached.wait()

    async def __call__(self, name: str, doc: Mapping[str, Any]) -> None:
        """Queue one document (the engine's subscriber); a stop waits for its run's acks."""
        await self.start()
        run_uid = self._router.run_of(name, doc)
        item = Outgoing(
            subject(self.instrument, run_uid, name), message_id(name, doc), to_msgpack(doc)
        )
        await self._outbox.put(item, self.online)
        if name == "stop":
            await self._wait_run(run_uid)

    async def _wait_run(self, run_uid: str) -> None:
        """Wait (up to ``stop_timeout``, not at all while the server is away) for the run's acks."""
        # with the server known to be away there is nothing to wait for: say so at once
        patience = self.stop_timeout if self.online else 0.0
        try:
            async with asyncio.timeout(patience):
                await self._outbox.wait_acknowledged(run_uid)
        except TimeoutError:
            left = self._outbox.unacknowledged(run_uid)
            self._outbox.forget_run(run_uid)
            raise BusPublishError(
                f"run {run_uid}: {left} documents not acknowledged by {self.url} "
                f"{patience:g} s after the stop; they wait (in memory or the spool "
                f"{self.spool_path}) and are published when the server answers"
            ) from None
        self._outbox.forget_run(run_uid)

    async def flush(self, timeout: float | None = None) -> bool:
        """Wait until the bus has every document queued so far (False: timed out)."""
        try:
            async with asyncio.timeout(timeout):
                await self._outbox.wait_empty()
        except TimeoutError:
            return False
        return True

    async def close(self, timeout: float | None = 30.0) -> None:
        """Publish what waits (up to ``timeout``), then stop; the rest stays in the spool."""
        if self._starting is None or self._closed:
            return
        self._closed = True
        try:
            await asyncio.shield(self._starting)
        except BusError:  # it never started (its error was raised then): nothing to publish
            await self._outbox.close()
            return
        await self.flush(timeout)
        if self._sender is not None:
            self._sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sender
        if self._client is not None:
            with contextlib.suppress(Exception):
                await self._client.close()
        await self._outbox.close()

    async def __aenter__(self) -> BusPublisher:
        """Start publishing."""
        await self.start()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Publish what waits and stop."""
        await self.close()

    # --- the sender task ---------------------------------------------------------------------

    async def _send_forever(self) -> None:
        """Publish the outbox's head in order, for ever, reconnecting as needed."""
        js = await self._jetstream()
        while True:
            try:
                batch = await self._outbox.head(WINDOW)
            except OSError as error:  # the spool cannot be read: say so, try again
                logger.error("%s: cannot read the spool %s: %s", self, self.spool_path, error)
                await asyncio.sleep(RETRY_S)
                continue
            try:
                acks = await _publish_window(js, batch)
            except Exception as error:  # nats raises many kinds; each means: send it again
                logger.info("%s: publish failed (%s); retrying", self, error or type(error))
                self._unreachable = True
                await asyncio.sleep(RETRY_S)
                continue
            self._unreachable = False
            self.published += len(batch)
            self.duplicates += sum(acks)
            self._outbox.done(batch)

    async def _jetstream(self) -> JetStreamContext:
        """Connect (retrying until the server answers) and make sure the stream exists."""
        while True:
            try:
                if self._client is None:
                    self._client = await connect(
                        self.url, f"skyscope-{self.instrument}-{os.getpid()}"
                    )
                js = self._client.jetstream()
                await ensure_stream(js, self.stream)
                self._unreachable = False
                self._reached.set()
                return js
            except Exception as error:  # unreachable or not ready yet: try again
                logger.info("%s: cannot reach the bus yet (%s)", self, error or type(error))
                self._unreachable = True
                await asyncio.sleep(RETRY_S)


async def _publish_window(js: JetStreamContext, batch: list[Outgoing]) -> list[bool]:
    """Publish ``batch`` and wait for every acknowledgement; return which were duplicates."""
    futures: list[asyncio.Future[Any]] = []
    try:
        for item in batch:
            headers = {"Nats-Msg-Id": item.msg_id}
            futures.append(await js.publish_async(item.subject, item.payload, headers=headers))
        async with asyncio.timeout(ACK_TIMEOUT_S):
            acks = await asyncio.gather(*futures)
    finally:
        for future in futures:
            future.cancel()
    return [bool(ack.duplicate) for ack in acks]

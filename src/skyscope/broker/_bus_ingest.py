"""Ingest documents from the bus into a catalog: acknowledge only what the catalog committed.

A durable JetStream pull consumer fetches a batch, the catalog ingests it in one transaction on
a worker thread, and only then are the messages acknowledged. Delivery is therefore at least
once, and the catalog makes it exactly once: ingest is idempotent on uids, so a message
redelivered after a crash (committed, not yet acknowledged) changes nothing. A document whose
parent has not arrived yet (a redelivery overtaken by newer messages) is handed back to the
server for later; one the catalog refuses outright is logged and dropped from the stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from skyscope.documents import from_msgpack

from ._bus_stream import DEFAULT_STREAM, check_url, connect, ensure_stream
from ._bus_subjects import ALL_SUBJECTS, check_token, document_name
from ._catalog import Catalog
from ._errors import CatalogError, DocumentError

if TYPE_CHECKING:
    from nats.aio.msg import Msg
    from nats.js import JetStreamContext

logger = logging.getLogger(__name__)

DEFAULT_DURABLE = "skyscope-ingest"
"""The durable consumer's name: restarted with it, ingest resumes where it stopped."""

BATCH = 256
"""Messages fetched and committed together."""

ACK_WAIT_S = 30.0
"""How long the server waits for an acknowledgement before delivering a message again."""

RETRY_S = 0.5
"""Pause after the server or the catalog failed, and how long a parentless document waits."""

MAX_PARENT_WAITS = 120
"""Deliveries of a document whose parent never arrives before it is given up (logged)."""


@dataclass
class IngestCounts:
    """What an ingest session did."""

    committed: int = 0
    """Messages committed to the catalog and acknowledged (redeliveries included)."""
    redelivered: int = 0
    """Of those, how many the server had delivered before (the catalog already had most)."""
    deferred: int = 0
    """Deliveries handed back because their parent had not arrived yet."""
    refused: int = 0
    """Documents the catalog refused, dropped from the stream (and logged)."""
    failed_commits: int = 0
    """Batches the catalog could not commit (left unacknowledged: the server sends them again)."""


class BusIngest:
    """A durable consumer feeding one catalog from a JetStream stream."""

    def __init__(
        self,
        url: str,
        catalog: Catalog,
        *,
        stream: str = DEFAULT_STREAM,
        durable: str = DEFAULT_DURABLE,
        batch: int = BATCH,
        ack_wait: float = ACK_WAIT_S,
        on_commit: Callable[[int], None] | None = None,
    ) -> None:
        """Ingest from ``url``'s ``stream`` into ``catalog`` as the consumer ``durable``."""
        self.url = check_url(url)
        self.stream = check_token(stream, "stream name")
        self.durable = check_token(durable, "durable consumer name")
        if batch < 1:
            raise ValueError(f"batch must be at least 1 message, got {batch}")
        if ack_wait <= 0:
            raise ValueError(f"ack_wait must be > 0 seconds, got {ack_wait}")
        self.catalog = catalog
        self.batch = batch
        self.ack_wait = ack_wait
        self.on_commit = on_commit
        self.counts = IngestCounts()

    async def run(self, stop: asyncio.Event | None = None) -> IngestCounts:
        """Ingest until ``stop`` is set (or for ever), riding out server restarts."""
        stop = stop or asyncio.Event()
        client = await _connect_retrying(self.url, f"skyscope-ingest-{self.durable}", stop)
        if client is None:
            return self.counts
        try:
            subscription = await self._subscribe(client.jetstream(), stop)
            committing: asyncio.Task[None] | None = None
            while subscription is not None and not stop.is_set():
                # the next batch is fetched while the last one commits; commits stay in order
                messages = await self._fetch(subscription)
                if committing is not None:
                    await committing
                    committing = None
                if messages:
                    committing = asyncio.create_task(self._ingest(messages))
            if committing is not None:
                await committing
        finally:
            with contextlib.suppress(Exception):
                await client.close()
        return self.counts

    async def _subscribe(self, js: JetStreamContext, stop: asyncio.Event) -> Any:
        """Bind to the durable consumer (creating it and the stream the first time)."""
        from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

        config = ConsumerConfig(
            durable_name=self.durable,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=self.ack_wait,
            max_ack_pending=max(1000, 4 * self.batch),
        )
        while not stop.is_set():
            try:
                await ensure_stream(js, self.stream)
                return await js.pull_subscribe(
                    ALL_SUBJECTS, durable=self.durable, stream=self.stream, config=config
                )
            except Exception as error:  # server starting or gone: try again
                logger.info("ingest: cannot subscribe yet (%s)", error or type(error))
                await _pause(stop)
        return None

    async def _fetch(self, subscription: Any) -> list[Msg]:
        """The next batch, or nothing after a second without messages (or a server hiccup)."""
        try:
            messages: list[Msg] = await subscription.fetch(self.batch, timeout=1.0)
        except TimeoutError:
            return []
        except Exception as error:  # disconnected or reconnecting: the client recovers
            logger.info("ingest: fetch failed (%s); retrying", error or type(error))
            await asyncio.sleep(RETRY_S)
            return []
        return messages

    async def _ingest(self, messages: list[Msg]) -> None:
        """Commit a batch, then acknowledge it; on a refused document sort them one by one."""
        documents = [(document_name(m.subject), from_msgpack(m.data)) for m in messages]
        try:
            await self._commit(documents)
        except DocumentError:
            await self._ingest_each(messages, documents)
            return
        except CatalogError as error:  # nothing acknowledged: the server delivers them again
            self.counts.failed_commits += 1
            logger.warning("ingest: the catalog could not commit a batch: %s", error)
            await asyncio.sleep(RETRY_S)
            return
        for message in messages:
            await self._acknowledge(message)

    async def _ingest_each(self, messages: list[Msg], documents: list[Any]) -> None:
        """Commit a batch document by document, deferring or dropping those refused."""
        for message, document in zip(messages, documents, strict=True):
            try:
                await self._commit([document])
            except DocumentError as error:
                await self._refuse(message, error)
                continue
            except CatalogError as error:
                self.counts.failed_commits += 1
                logger.warning("ingest: the catalog could not commit: %s", error)
                return
            await self._acknowledge(message)

    async def _commit(self, documents: list[Any]) -> None:
        """Ingest in one transaction, on a worker thread (never on the loop)."""
        await asyncio.to_thread(self.catalog.ingest, documents)

    async def _acknowledge(self, message: Msg) -> None:
        """Tell the server the message is stored."""
        if message.metadata.num_delivered > 1:
            self.counts.redelivered += 1
        self.counts.committed += 1
        with contextlib.suppress(Exception):  # a lost ack means one harmless redelivery
            await message.ack()
        if self.on_commit is not None:
            self.on_commit(self.counts.committed)

    async def _refuse(self, message: Msg, error: DocumentError) -> None:
        """Hand back a document whose parent is missing; drop one the catalog never takes."""
        waiting = "has not seen" in str(error)
        with contextlib.suppress(Exception):
            if waiting and message.metadata.num_delivered < MAX_PARENT_WAITS:
                self.counts.deferred += 1
                await message.nak(delay=RETRY_S)
                return
            self.counts.refused += 1
            logger.error("ingest: dropped %s: %s", message.subject, error)
            await message.term()


async def _connect_retrying(url: str, name: str, stop: asyncio.Event) -> Any:
    """Connect, trying again until the server answers or ``stop`` is set."""
    while not stop.is_set():
        try:
            return await connect(url, name)
        except Exception as error:  # not up yet
            logger.info("ingest: cannot reach %s yet (%s)", url, error or type(error))
            await _pause(stop)
    return None


async def _pause(stop: asyncio.Event) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), RETRY_S)

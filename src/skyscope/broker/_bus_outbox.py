"""The publisher's outbox: documents not yet acknowledged by the bus, in order, bounded in bytes.

Documents wait in memory up to a bound in bytes. Past the bound, or while the bus is
unreachable, they go to the spool file instead (a worker thread writes it), and keep going there
until the spool is published, so the order never changes: memory holds the older documents,
the spool the newer ones. Every decision is taken on the event loop; only file I/O leaves it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ._bus_errors import BusError, BusPublishError
from ._bus_spool import Outgoing, Spool
from ._bus_subjects import run_of_subject

logger = logging.getLogger(__name__)


class Outbox:
    """Memory first, then the spool; :meth:`head` gives what to send, :meth:`done` what was."""

    def __init__(self, spool_path: Path, max_bytes: int) -> None:
        """Hold up to ``max_bytes`` in memory; spool the rest to ``spool_path``."""
        if max_bytes < 1:
            raise ValueError(f"the publisher's buffer must hold at least 1 byte, got {max_bytes}")
        self.max_bytes = max_bytes
        self._spool_path = spool_path
        self._spool: Spool | None = None
        self._io = ThreadPoolExecutor(1, thread_name_prefix="skyscope-bus-spool")
        self._memory: deque[Outgoing] = deque()
        self.memory_bytes = 0
        self._read_offset = 0
        self._written = 0
        self._writing = 0
        self._spooling = False
        self._changed = asyncio.Event()
        self.spooled_documents = 0
        self._unacked: dict[str, int] = {}
        self._stopped: set[str] = set()
        self._acked = asyncio.Event()

    async def open(self) -> None:
        """Open the spool; one left by a dead publisher is published before anything new."""
        try:
            self._spool = await self._run(Spool, self._spool_path)
        except BlockingIOError:
            raise BusError(
                f"the spool {self._spool_path} is in use by another publisher; "
                "give each publisher its own (spool=...)"
            ) from None
        if self._spool.torn_bytes:
            logger.warning(
                "%s: cut off %d bytes at its end, a record a publisher was writing as it died",
                self._spool_path,
                self._spool.torn_bytes,
            )
        self._written = self._spool.size
        self._spooling = self._written > 0

    @property
    def empty(self) -> bool:
        """Has everything put in been acknowledged?"""
        return not self._memory and not self._spool_unsent

    @property
    def _spool_unsent(self) -> bool:
        return self._writing > 0 or self._read_offset < self._written

    def unacknowledged(self, run_uid: str) -> int:
        """How many documents of run ``run_uid`` put in this session the bus has not got yet."""
        return self._unacked.get(run_uid, 0)

    async def wait_acknowledged(self, run_uid: str) -> None:
        """Wait until the bus has every document of ``run_uid`` put so far."""
        while self._unacked.get(run_uid, 0):
            self._acked.clear()
            await self._acked.wait()

    async def wait_empty(self) -> None:
        """Wait until the bus has every document put so far."""
        while not self.empty:
            self._acked.clear()
            await self._acked.wait()

    def forget_run(self, run_uid: str) -> None:
        """Stop counting ``run_uid`` once the bus has all of it (its stop has been handled)."""
        if self._unacked.get(run_uid):
            self._stopped.add(run_uid)
        else:
            self._unacked.pop(run_uid, None)

    async def put(self, item: Outgoing, online: bool) -> None:
        """Add a document: to memory if it fits and the bus answers, else to the spool."""
        run_uid = run_of_subject(item.subject)
        self._unacked[run_uid] = self._unacked.get(run_uid, 0) + 1
        fits = self.memory_bytes + item.nbytes <= self.max_bytes
        if not self._spooling and online and fits:
            self._memory.append(item)
            self.memory_bytes += item.nbytes
        else:
            self._spooling = True
            self._writing += 1
            try:
                self._written = await self._run(self._opened().append, item)
            except OSError as error:
                self._unacked[run_uid] -= 1
                raise BusPublishError(
                    f"cannot spool {item.msg_id} to {self._spool_path} while the bus is away or "
                    f"the buffer full: {error.strerror or error}; it will not be published"
                ) from None
            finally:
                self._writing -= 1
            self.spooled_documents += 1
        self._changed.set()

    async def head(self, limit: int) -> list[Outgoing]:
        """The oldest unacknowledged documents (up to ``limit``), waiting until there are some."""
        while True:
            if self._memory:
                return [self._memory[i] for i in range(min(limit, len(self._memory)))]
            if self._read_offset < self._written:
                items: list[Outgoing] = await self._run(
                    self._opened().read, self._read_offset, limit
                )
                if items:
                    return items
                self._skip_damaged()
                continue
            self._changed.clear()
            await self._changed.wait()

    def done(self, items: list[Outgoing]) -> None:
        """Forget ``items`` (the first ones :meth:`head` gave): the bus has them."""
        for item in items:
            run_uid = run_of_subject(item.subject)
            if run_uid in self._unacked:
                self._unacked[run_uid] -= 1
                if not self._unacked[run_uid] and run_uid in self._stopped:
                    self._stopped.discard(run_uid)
                    del self._unacked[run_uid]
            if item.spool_end < 0:
                self.memory_bytes -= self._memory.popleft().nbytes
            else:
                self._read_offset = item.spool_end
        if self._spooling and not self._memory and not self._spool_unsent:
            self._spooling = False
            self._read_offset = self._written = 0
            self._io.submit(self._opened().clear)  # runs before any later append
        self._acked.set()

    def _skip_damaged(self) -> None:
        """Give up on a spool whose next record fails its checksum (the disk damaged it)."""
        logger.error(
            "%s: the record at byte %d is damaged; the %d bytes from there are not published",
            self._spool_path,
            self._read_offset,
            self._written - self._read_offset,
        )
        self._read_offset = self._written
        self.done([])

    async def close(self) -> None:
        """Keep what is unsent in the spool (memory first, in order), close it and its thread."""
        if self._spool is not None:
            if self._memory or self._read_offset:
                front = list(self._memory)
                await self._run(self._spool.keep, front, self._read_offset)
                self._memory.clear()
                self.memory_bytes = self._read_offset = 0
            with contextlib.suppress(OSError):
                await self._run(self._spool.close)
        self._io.shutdown(wait=False)

    def _opened(self) -> Spool:
        if self._spool is None:
            raise RuntimeError("the outbox is not open")
        return self._spool

    async def _run(self, function: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._io, function, *args)

"""The catalog's live write path: check, journal, and commit on a writer thread of its own.

``accept(name, doc)`` runs on the caller's thread and never waits for the database: it checks the
document at the door, appends it to its run's journal (acknowledged from then on: a killed
process loses nothing) and queues it for the writer thread, which commits in batches, retries
every failed commit (a locked database, a full disk) and never drops a document. The queue is
bounded in bytes: past the bound, journaled documents are dropped from memory and read back
from their journal when their turn comes. A run's journal is fsynced before any commit that
holds a frame flush or its stop, and deleted once its stop is committed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from ._backend import Backend, Connection
from ._door import check_document
from ._errors import CatalogError, CatalogWriteError, DocumentError
from ._ingest import Ingester
from ._journal import encode, read_record
from ._lineage import Lineage, Lookup
from ._run_journal import Pending, RunJournal, journal_path

logger = logging.getLogger(__name__)

# Documents held in memory on their way to the tables; beyond this they wait in their journal.
QUEUE_BYTES = 64 * 1024 * 1024
# A batch commits at most this many documents or bytes in one transaction.
BATCH_DOCUMENTS = 5_000
BATCH_BYTES = 32 * 1024 * 1024
# How long a stop (off the event loop) waits for its run to be committed before reporting.
STOP_WAIT_S = 10.0
# Retry delays after a failed commit: doubling from the first to the last.
RETRY_FIRST_S, RETRY_LAST_S = 0.05, 2.0
# Documents whose commit makes the journal fsync first: frame flushes and the run's end.
SYNC_BEFORE_COMMIT = frozenset({"stream_datum", "datum", "datum_page", "resource", "stop"})


@dataclass
class Incident:
    """A stretch of time during which commits failed (and were retried)."""

    message: str
    first: float
    last: float
    attempts: int = 1

    def describe(self) -> str:
        """One line: what failed, for how long, how often it was retried."""
        seconds = self.last - self.first
        return f"commits failed for {seconds:.1f} s ({self.message}); retried {self.attempts}x"


class LiveIngest:
    """Door, journals and the writer thread of one live catalog."""

    def __init__(self, backend: Backend, lookup: Lookup, queue_bytes: int = QUEUE_BYTES) -> None:
        """Journal into ``backend``'s journal folder; ``lookup`` finds stored parents."""
        self.backend = backend
        self.path = backend.location
        self.folder = backend.journal_folder
        self.queue_bytes = queue_bytes
        self._lineage = Lineage(lookup)
        self._writer_id = (socket.gethostname(), os.getpid())
        self._runs: dict[str, RunJournal] = {}
        self._queue: deque[Pending] = deque()
        self._held_bytes = 0
        self._accepted = 0
        self._committed = 0
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._closing = False
        self._give_up = False
        self._retry_now = threading.Event()  # set when retrying is pointless: closing
        self._thread: threading.Thread | None = None
        self.incidents: list[Incident] = []
        self.refused: list[tuple[str, str]] = []  # (run uid, why)

    # --- the caller's side -----------------------------------------------------------------

    def accept(self, name: str, doc: Any) -> int:
        """Check, journal and queue one document; return its sequence number."""
        plain = check_document(name, doc)
        record = encode(name, plain)
        with self._lock:
            if self._closing:
                raise CatalogError(f"the catalog {self.path} is closed")
            run_uid = self._lineage.run_of(name, plain)
            run = self._run_journal(run_uid, name)
            self._accepted += 1
            item = Pending(self._accepted, name, plain, run, len(record))
            run.append(item, record)
            self._enqueue(item)
        if name == "stop":
            self._report_run_end(item)
        return item.seq

    def wait_committed(self, seq: int | None = None, timeout: float | None = None) -> bool:
        """Wait until document ``seq`` (default: all accepted so far) is committed."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            target = self._accepted if seq is None else seq
            while self._committed < target and self._thread is not None:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._changed.wait(remaining)
            return self._committed >= target

    @property
    def pending(self) -> int:
        """Documents accepted but not yet committed."""
        return self._accepted - self._committed

    def close(self, timeout: float) -> int:
        """Commit what is queued (waiting up to ``timeout``); return how many were left over.

        Documents left over stay in their journals, which the next open replays.
        """
        if self._closing:
            return self.pending
        committed = self.wait_committed(timeout=timeout)
        with self._lock:
            self._closing = True
            self._give_up = not committed
            self._changed.notify_all()
        self._retry_now.set()
        if self._thread is not None:
            self._thread.join()
        left = self.pending
        with self._lock:
            unjournaled = sum(len(run.backlog) for run in self._runs.values())
            for run in self._runs.values():
                run.close(delete=left == 0)
            self._runs.clear()
        if unjournaled:
            logger.error(
                "%d documents could be neither journaled nor committed to %s and are lost",
                unjournaled,
                self.path,
            )
        elif left:
            logger.warning(
                "%d documents wait in the journals of %s; the next open commits them",
                left,
                self.path,
            )
        return left

    def _run_journal(self, run_uid: str, name: str) -> RunJournal:
        run = self._runs.get(run_uid)
        if run is None:
            run = RunJournal(run_uid, journal_path(self.folder, run_uid))
            run.started_at = time.monotonic()
            self._runs[run_uid] = run
        if name == "stop":
            run.stopped = True
        return run

    def _enqueue(self, item: Pending) -> None:
        """Queue for the writer, spilling to the journal past the byte bound (lock held)."""
        if self._held_bytes + item.nbytes > self.queue_bytes:
            if item.journaled:
                item.doc = None
            elif not _on_event_loop():
                while self._held_bytes + item.nbytes > self.queue_bytes and not self._closing:
                    self._changed.wait(0.5)
        if item.doc is not None:
            self._held_bytes += item.nbytes
        self._queue.append(item)
        self._start_writer()
        self._changed.notify_all()

    def _report_run_end(self, stop: Pending) -> None:
        """After a stop: wait for the run's commit (off the loop) and raise what went wrong."""
        on_loop = _on_event_loop()
        committed = self.wait_committed(stop.seq, 0 if on_loop else STOP_WAIT_S)
        problems = self._run_problems(stop.run)
        if not committed and (problems or not on_loop):
            problems.append(
                f"the run is not committed {0 if on_loop else STOP_WAIT_S:g} s after its "
                f"stop; its documents ({self.pending} not committed) are kept (in "
                f"{stop.run.path}, or in memory "
                "where it could not be written) and are committed when the catalog can be "
                "written (or by `skyscope catalog recover`)"
            )
        if problems:
            raise CatalogWriteError(f"catalog {self.path}: " + "; ".join(problems))

    def _run_problems(self, run: RunJournal) -> list[str]:
        with self._lock:
            problems = [i.describe() for i in self.incidents if i.last >= run.started_at]
            problems += [why for uid, why in self.refused if uid == run.run_uid]
            if run.error:
                problems.append(run.error + " (documents held in memory until committed)")
        return problems

    # --- the writer thread -----------------------------------------------------------------

    def _start_writer(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._write_forever, name=f"skyscope-catalog-{self.folder.name}", daemon=True
            )
            self._thread.start()

    def _write_forever(self) -> None:
        ingester = None
        try:
            ingester = Ingester(self._connect(), self.backend)
            while (batch := self._next_batch()) is not None:
                self._commit(ingester, batch)
        except BaseException as error:  # the thread must say why it ended
            logger.exception("the catalog writer for %s stopped", self.path)
            with self._lock:
                self.incidents.append(Incident(f"writer stopped: {error}", *_now_twice()))
        finally:
            if ingester is not None:
                _release_and_close(ingester, self.backend, committed_all=not self._give_up)
            with self._lock:
                self._thread = None
                self._changed.notify_all()

    def _connect(self) -> Connection:
        """The writer's own connection, retried with backoff while the database is away."""
        delay = RETRY_FIRST_S
        incident: Incident | None = None
        while True:
            try:
                return self.backend.connect()
            except CatalogError as error:
                if self.backend.path is not None or self._closing:
                    raise  # a file that cannot be opened will not open by waiting
                incident = self._note_failure(incident, error)
                self._retry_now.wait(delay)
                delay = min(delay * 2, RETRY_LAST_S)

    def _next_batch(self) -> list[Pending] | None:
        with self._lock:
            while not self._queue:
                if self._closing:
                    return None
                self._changed.wait()
            if self._give_up:
                return None
            batch: list[Pending] = []
            size = 0
            while self._queue and len(batch) < BATCH_DOCUMENTS and size < BATCH_BYTES:
                item = self._queue.popleft()
                batch.append(item)
                size += item.nbytes
            return batch

    def _commit(self, ingester: Ingester, batch: list[Pending]) -> None:
        for item in batch:
            self._add(ingester, item)
        self._sync_journals(batch)
        delay = RETRY_FIRST_S
        incident: Incident | None = None
        while True:
            try:
                ingester.flush()
                break
            except CatalogError as error:
                incident = self._note_failure(incident, error)
                self._retry_now.wait(delay)
                if self._give_up:
                    return
                delay = min(delay * 2, RETRY_LAST_S)
        self._done(batch)

    def _add(self, ingester: Ingester, item: Pending) -> None:
        doc = item.doc
        if doc is None:
            _, doc = read_record(item.run.path, item.start, item.stop)
        try:
            ingester.add(item.name, doc, self._writer_id)
        except DocumentError as error:  # checked at the door: only an inconsistent run lands here
            logger.error("the catalog could not store a document: %s", error)
            with self._lock:
                self.refused.append((item.run.run_uid, str(error)))

    def _sync_journals(self, batch: list[Pending]) -> None:
        runs = {id(item.run): item.run for item in batch if item.name in SYNC_BEFORE_COMMIT}
        for run in runs.values():
            run.sync()

    def _note_failure(self, incident: Incident | None, error: CatalogError) -> Incident:
        now = time.monotonic()
        with self._lock:
            if incident is None:
                logger.warning("%s; retrying until it succeeds", error)
                cause = str(error.__cause__ or error).strip() or type(error).__name__
                incident = Incident(cause.splitlines()[0], now, now)
                self.incidents.append(incident)
            else:
                incident.last, incident.attempts = now, incident.attempts + 1
        return incident

    def _done(self, batch: list[Pending]) -> None:
        with self._lock:
            for item in batch:
                if item.doc is not None:
                    self._held_bytes -= item.nbytes
            for run in {id(item.run): item.run for item in batch}.values():
                if run.backlog:
                    run.catch_up()  # the tables have these documents; the journal catches up
            for item in batch:
                if item.name == "stop":
                    item.run.close(delete=True)
                    self._runs.pop(item.run.run_uid, None)
            self._committed = batch[-1].seq
            self._changed.notify_all()


def _release_and_close(ingester: Ingester, backend: Backend, committed_all: bool) -> None:
    """Mark runs left without a stop as no longer written, then close the connection.

    When documents were left uncommitted their runs stay as they are: the journals hold them and
    the next open replays them and marks the runs interrupted.
    """
    failures: tuple[type[Exception], ...] = (CatalogError, *backend.errors)
    try:
        if committed_all:
            ingester.release_live_runs()
    except failures:
        logger.warning("could not mark the unfinished runs of %s", backend.location, exc_info=True)
    finally:
        ingester.close()


def _on_event_loop() -> bool:
    """Is this thread running an event loop (where nothing may wait)?"""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _now_twice() -> tuple[float, float]:
    now = time.monotonic()
    return now, now

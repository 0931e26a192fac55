"""One open catalog file shared by a catalog, its search views and its runs.

All database access goes through :class:`Store` under one lock, and every read first commits
what the writer has buffered, so a catalog always sees its own documents.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import socket
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ._connection import open_connection
from ._errors import CatalogError
from ._ingest import COMMIT_AT_ONCE, Ingester
from ._rows import Document

# A live catalog commits at the latest after this many buffered rows or this long.
LIVE_BATCH_ROWS = 5_000
LIVE_MAX_DELAY_S = 0.1
# Ingesting after the fact commits in large transactions.
BULK_BATCH_ROWS = 100_000


_OPEN: weakref.WeakSet[Store] = weakref.WeakSet()


@atexit.register
def _flush_open_stores() -> None:
    """Commit what open catalogs still buffer when the interpreter exits."""
    for store in list(_OPEN):
        with contextlib.suppress(CatalogError):
            store.flush()


class Store:
    """The connection, its lock, the write buffer and the live-commit timer."""

    def __init__(self, path: Path) -> None:
        """Open (or create) the catalog file at ``path``."""
        self.path = path
        self._connection = open_connection(path)
        self._lock = threading.RLock()
        self._ingester = Ingester(self._connection)
        self._writer = (socket.gethostname(), os.getpid())
        self._oldest_pending = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self.closed = False
        _OPEN.add(self)

    def add_live(self, name: str, doc: Document) -> None:
        """Buffer a document from a running engine; commit soon, or now if it ends a run."""
        with self._lock:
            self._check_open()
            ingester = self._ingester
            if not ingester.pending:
                self._oldest_pending = time.monotonic()
            ingester.add(name, doc, self._writer)
            due = time.monotonic() - self._oldest_pending >= LIVE_MAX_DELAY_S
            if name in COMMIT_AT_ONCE or due or ingester.pending >= LIVE_BATCH_ROWS:
                self._flush_locked()
            elif self._timer is None:
                self._schedule_flush()

    def add_bulk(self, docs: Iterable[tuple[str, Document]]) -> int:
        """Ingest documents after the fact in large transactions; return how many were read."""
        count = 0
        with self._lock:
            self._check_open()
            ingester = self._ingester
            try:
                for name, doc in docs:
                    ingester.add(name, doc)
                    count += 1
                    if ingester.pending >= BULK_BATCH_ROWS:
                        ingester.flush()
            finally:
                self._flush_locked()
        return count

    def flush(self) -> None:
        """Commit every buffered document now."""
        with self._lock:
            if not self.closed:
                self._flush_locked()

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """Run a read query (after committing buffered documents) and return all its rows."""
        with self._lock:
            self._check_open()
            self._flush_locked()
            return self._connection.execute(sql, params).fetchall()

    def close(self) -> None:
        """Commit, mark unfinished live runs as no longer written, and close the file."""
        with self._lock:
            if self.closed:
                return
            self._cancel_timer()
            self._ingester.release_live_runs()
            self._connection.close()
            self.closed = True

    def _flush_locked(self) -> None:
        """Commit buffered rows (lock held) and drop any pending timer."""
        self._cancel_timer()
        self._ingester.flush()

    def _schedule_flush(self) -> None:
        """Commit after :data:`LIVE_MAX_DELAY_S` on the running event loop, if there is one."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop: the next document, a read or flush() commits
        self._timer = loop.call_later(LIVE_MAX_DELAY_S, self._flush_from_timer)

    def _flush_from_timer(self) -> None:
        """The timer's callback."""
        with self._lock:
            self._timer = None
            if not self.closed:
                self._ingester.flush()

    def _cancel_timer(self) -> None:
        """Forget the pending timer."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _check_open(self) -> None:
        """Refuse to work on a closed catalog."""
        if self.closed:
            raise CatalogError(f"the catalog {self.path} is closed")


def open_store(path: Path) -> Store:
    """Open a store, turning SQLite's errors into a message that names the file."""
    try:
        return Store(path)
    except sqlite3.DatabaseError as error:
        raise CatalogError(f"cannot open the catalog {path}: {error}") from error

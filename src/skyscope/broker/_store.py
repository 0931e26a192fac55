"""One open catalog file shared by a catalog, its search views and its runs: the read side.

Reads and after-the-fact (bulk) ingest go through :class:`Store`'s connection under one lock.
Live documents take another way (the live ingest's journal and writer thread); before each read
the store waits briefly for them to be committed, so a catalog sees its own documents.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from ._connection import damaged, open_connection
from ._door import check_document
from ._errors import CatalogError
from ._ingest import Ingester
from ._rows import Document

# Ingesting after the fact commits in large transactions.
BULK_BATCH_ROWS = 100_000


class Store:
    """The read connection, its lock, and the hook that waits for live documents."""

    def __init__(self, path: Path, readonly: bool = False) -> None:
        """Open the catalog file at ``path`` (creating it unless ``readonly``)."""
        self.path = path
        self.readonly = readonly
        self._connection = open_connection(path, readonly)
        self._lock = threading.RLock()
        self.before_read: Callable[[], object] = lambda: None
        self.closed = False

    def add_bulk(self, docs: Iterable[tuple[str, Document]]) -> int:
        """Check and ingest documents in large transactions; return how many were read."""
        count = 0
        with self._lock:
            self._check_writable()
            ingester = Ingester(self._connection)
            try:
                for name, doc in docs:
                    ingester.add(name, check_document(name, doc))
                    count += 1
                    if ingester.pending >= BULK_BATCH_ROWS:
                        ingester.flush()
            finally:
                ingester.flush()
        return count

    def query(
        self, sql: str, params: Sequence[object] = (), *, wait: bool = True
    ) -> list[tuple[Any, ...]]:
        """Run a read query and return all its rows.

        ``wait`` first lets this catalog's own live documents be committed (briefly).
        """
        if wait:
            self.before_read()
        with self._lock:
            self._check_open()
            try:
                return self._connection.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as error:
                if isinstance(error, sqlite3.OperationalError) and "locked" not in str(error):
                    raise
                raise damaged(self.path, error) from None

    def execute(self, sql: str, params: Sequence[object] = ()) -> int:
        """Run one writing statement in its own transaction; return the rows it changed."""
        with self._lock:
            self._check_writable()
            try:
                return self._connection.execute(sql, params).rowcount
            except sqlite3.Error as error:
                raise CatalogError(f"could not write to the catalog {self.path}: {error}") from None

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            if not self.closed:
                self._connection.close()
                self.closed = True

    def _check_open(self) -> None:
        """Refuse to work on a closed catalog."""
        if self.closed:
            raise CatalogError(f"the catalog {self.path} is closed")

    def _check_writable(self) -> None:
        self._check_open()
        if self.readonly:
            raise CatalogError(f"the catalog {self.path} was opened read-only")

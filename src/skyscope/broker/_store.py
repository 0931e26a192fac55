"""One open catalog shared by a catalog, its search views and its runs: the read side.

Reads and after-the-fact (bulk) ingest go through :class:`Store`'s connection under one lock.
Live documents take another way (the live ingest's journal and writer thread); before each read
the store waits briefly for them to be committed, so a catalog sees its own documents.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from ._backend import Backend
from ._dialect import Dialect
from ._door import check_document
from ._errors import CatalogError
from ._ingest import Ingester
from ._rows import Document

# Ingesting after the fact commits in large transactions.
BULK_BATCH_ROWS = 100_000
# After a bulk ingest this large, the planner's statistics are refreshed (PostgreSQL plans key
# queries by them; autovacuum would only catch up a minute or more later).
REFRESH_STATISTICS_DOCS = 10_000


class Store:
    """The read connection, its lock, and the hook that waits for live documents."""

    def __init__(self, backend: Backend, readonly: bool = False) -> None:
        """Open the catalog in ``backend`` (creating it unless ``readonly``)."""
        self.backend = backend
        self.dialect: Dialect = backend.dialect
        self.location = backend.location
        self.readonly = readonly
        self._connection = backend.connect(readonly)
        self._lock = threading.RLock()
        self.before_read: Callable[[], object] = lambda: None
        self.closed = False

    def add_bulk(self, docs: Iterable[tuple[str, Document]]) -> int:
        """Check and ingest documents in large transactions; return how many were read."""
        count = 0
        with self._lock:
            self._check_writable()
            ingester = Ingester(self._connection, self.backend)
            try:
                for name, doc in docs:
                    ingester.add(name, check_document(name, doc))
                    count += 1
                    if ingester.pending >= BULK_BATCH_ROWS:
                        ingester.flush()
            finally:
                ingester.flush()
            if count >= REFRESH_STATISTICS_DOCS and self.dialect.refresh_statistics:
                self.execute(self.dialect.refresh_statistics)
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
            except self.backend.errors as error:
                problem = self.backend.read_error(error)
                if problem is None:
                    raise
                raise problem from None

    def execute(self, sql: str, params: Sequence[object] = ()) -> int:
        """Run one writing statement in its own transaction; return the rows it changed."""
        with self._lock:
            self._check_writable()
            try:
                return self._connection.execute(sql, params).rowcount
            except self.backend.errors as error:
                raise CatalogError(
                    f"could not write to the catalog {self.location}: {error}"
                ) from None

    def integrity_problems(self) -> list[str]:
        """Damage the database reports about itself (empty when whole)."""
        with self._lock:
            self._check_open()
            return self.backend.integrity_problems(self._connection)

    @property
    def path(self) -> Path:
        """The SQLite file; a server database has none."""
        if self.backend.path is None:
            raise CatalogError(
                f"the catalog {self.location} is a database server, not a file: use .location"
            )
        return self.backend.path

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            if not self.closed:
                self._connection.close()
                self.closed = True

    def _check_open(self) -> None:
        """Refuse to work on a closed catalog."""
        if self.closed:
            raise CatalogError(f"the catalog {self.location} is closed")

    def _check_writable(self) -> None:
        self._check_open()
        if self.readonly:
            raise CatalogError(f"the catalog {self.location} was opened read-only")

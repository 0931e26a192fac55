"""Buffer incoming documents as rows and write them to the catalog in transactions.

The ingester is the catalog's write path: it resolves each document's run (an event names only
its descriptor, a stream datum only its resource), turns it into rows, and commits the rows in
one transaction per :meth:`Ingester.flush`. The caller decides when to flush.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from . import _json, _rows
from ._errors import CatalogError, DocumentError
from ._lineage import Lineage
from ._rows import Document, KeyRow, Row

if TYPE_CHECKING:
    from ._backend import Backend, Connection

# Documents after which a live catalog commits at once: a finished run is on disk at once.
COMMIT_AT_ONCE = frozenset({"stop"})


class Ingester:
    """Rows waiting to be committed, and which run each document belongs to."""

    def __init__(self, connection: Connection, backend: Backend) -> None:
        """Write through ``connection`` to ``backend`` (the caller serialises calls)."""
        self._connection = connection
        self._backend = backend
        self._dialect = backend.dialect
        self._clear()
        self.lineage = Lineage(self._stored_run)
        # Monotonic across sessions, so a run's documents keep their arrival order on export.
        self._order = itertools.count(time.time_ns())
        self._handlers: dict[str, Callable[[Document, str, tuple[str, int] | None], None]] = {
            "start": self._start,
            "stop": self._stop,
            "descriptor": self._descriptor,
            "event": self._event,
            "event_page": self._event_page,
            "stream_resource": self._stream_resource,
            "stream_datum": self._stream_datum,
            "resource": self._resource,
            "datum": self._datum,
            "datum_page": self._datum_page,
        }

    def _clear(self) -> None:
        self._tables: dict[str, list[Row]] = {table: [] for table in _rows.INSERTS}
        self._starts: list[tuple[Row, list[KeyRow], str]] = []
        self._stops: list[tuple[Row, list[KeyRow]]] = []
        self._pending = 0

    @property
    def pending(self) -> int:
        """How many rows wait for the next flush."""
        return self._pending

    @property
    def open_live_runs(self) -> set[str]:
        """Runs started in this session whose stop has not come."""
        return self.lineage.open_runs

    def add(self, name: str, doc: Document, writer: tuple[str, int] | None = None) -> None:
        """Buffer one document; ``writer`` (host, pid) marks a start as written live."""
        handler = self._handlers.get(name)
        if handler is None:
            known = ", ".join(sorted(self._handlers))
            raise DocumentError(f"unknown document name {name!r}; the catalog ingests: {known}")
        try:
            run_uid = self.lineage.run_of(name, doc)
            handler(doc, run_uid, writer)
        except KeyError as missing:
            raise DocumentError(
                f"{name} document lacks the field {missing}: {doc!r:.200}"
            ) from None
        except (TypeError, ValueError, AttributeError, OverflowError) as error:
            if isinstance(error, DocumentError):
                raise
            raise DocumentError(f"{name} document cannot be stored: {error}") from None

    def flush(self) -> None:
        """Commit every buffered row in one transaction; on failure keep them for a retry."""
        if not self._pending:
            return
        connection = self._connection
        try:
            connection.execute(self._dialect.begin)
            self._write_starts(self._starts)
            for table, rows in self._tables.items():
                if rows:
                    connection.executemany(_rows.INSERTS[table], rows)
            self._write_stops(self._stops)
            connection.execute("COMMIT")
        except self._backend.errors as error:
            self._roll_back()
            first_line = (str(error).strip() or type(error).__name__).splitlines()[0]
            raise CatalogError(f"could not write documents to the catalog: {first_line}") from error
        self._clear()

    def _roll_back(self) -> None:
        """End a failed transaction (a lost server connection has none left to end)."""
        try:
            if self._connection.in_transaction:
                self._connection.execute("ROLLBACK")
        except self._backend.errors:
            pass  # the connection is gone; the next flush opens another

    def _write_starts(self, starts: list[tuple[Row, list[KeyRow], str]]) -> None:
        """Insert new runs with their key rows and full-text entries (replays insert nothing).

        Starts go many per statement: one round trip per few hundred runs, not one per run.
        """
        keys: list[Row] = []
        texts: list[Row] = []
        step = _rows.STARTS_PER_INSERT
        for first in range(0, len(starts), step):
            chunk = starts[first : first + step]
            params = [value for row, _, _ in chunk for value in row]
            inserted = self._connection.execute(_rows.start_insert(len(chunk)), params)
            new = {uid: run_id for run_id, uid in inserted.fetchall()}
            for row, key_rows, text in chunk:
                run_id = new.pop(row[0], None)  # a uid twice in one batch: its first start
                if run_id is not None:
                    keys.extend(self._key_params(run_id, key_rows))
                    texts.append(self._backend.fulltext_row(run_id, text))
        self._connection.executemany(_rows.KEY_INSERT, keys)
        self._connection.executemany(self._backend.fulltext_insert, texts)

    def _key_params(self, run_id: int, key_rows: list[KeyRow]) -> Iterable[Row]:
        """The KEY_INSERT parameters of a run's key rows, numbers kept exactly.

        SQLite takes them as they are; PostgreSQL gets floats as decimals (``Dialect.number``).
        """
        if self._dialect.name == "sqlite":
            return ((run_id, *key) for key in key_rows)
        number = self._dialect.number
        return ((run_id, *k[:-1], None if k[-1] is None else number(k[-1])) for k in key_rows)

    def _write_stops(self, stops: list[tuple[Row, list[KeyRow]]]) -> None:
        """Fill runs' stop columns and add the stop's key rows, once per run."""
        keys: list[Row] = []
        for values, key_rows in stops:
            filled = self._connection.execute(_rows.STOP_UPDATE, values).fetchall()
            if filled:
                run_id = filled[0][0]
                keys.extend(self._key_params(run_id, key_rows))
        self._connection.executemany(_rows.KEY_INSERT, keys)

    def close(self) -> None:
        """Close the connection (buffered rows not flushed are dropped)."""
        self._connection.close()

    def release_live_runs(self) -> None:
        """Mark runs this writer started but never stopped as no longer being written."""
        self.flush()
        uids = list(self.open_live_runs)
        self.open_live_runs.clear()
        if uids:
            self._connection.executemany(
                "UPDATE runs SET writer_host = NULL, writer_pid = NULL "
                "WHERE uid = ? AND stop_uid IS NULL",
                [(uid,) for uid in uids],
            )

    def _buffer(self, table: str, rows: Iterable[Row]) -> None:
        """Queue rows for ``table``."""
        before = len(self._tables[table])
        self._tables[table].extend(rows)
        self._pending += len(self._tables[table]) - before

    def _start(self, doc: Document, run_uid: str, writer: tuple[str, int] | None) -> None:
        """A new run: its row, one key row per metadata scalar."""
        key_rows = _rows.key_rows(doc)
        self._starts.append((_rows.start_row(doc, writer), key_rows, _rows.search_text(key_rows)))
        self._pending += 1 + len(key_rows)
        if writer is None:
            self.lineage.open_runs.discard(run_uid)

    def _stop(self, doc: Document, run_uid: str, writer: tuple[str, int] | None) -> None:
        """The end of a run: fills its stop columns."""
        key_rows = _rows.key_rows(doc, prefix="stop.")
        self._stops.append((_rows.stop_values(doc), key_rows))
        self._pending += 1 + len(key_rows)

    def _descriptor(self, doc: Document, run_uid: str, writer: tuple[str, int] | None) -> None:
        """A stream's descriptor and its data keys."""
        self._buffer("descriptors", [_rows.descriptor_row(doc, next(self._order))])
        self._buffer("data_keys", _rows.data_key_rows(doc))

    def _event(self, doc: Document, run_uid: str, writer: tuple[str, int] | None) -> None:
        """One event."""
        self._buffer("events", [_rows.event_row(doc, run_uid, next(self._order))])

    def _event_page(self, doc: Document, run_uid: str, writer: tuple[str, int] | None) -> None:
        """An event page, stored as the events it holds."""
        rows = [
            _rows.event_row(e, run_uid, next(self._order)) for e in _rows.unpack_event_page(doc)
        ]
        self._buffer("events", rows)

    def _stream_resource(self, doc: Document, run_uid: str, writer: tuple[str, int] | None) -> None:
        """A file (or store) holding one data key's external data."""
        self._buffer(
            "stream_resources", [_rows.stream_resource_row(doc, run_uid, next(self._order))]
        )

    def _stream_datum(self, doc: Document, run_uid: str, writer: tuple[str, int] | None) -> None:
        """Which frames of a stream resource belong to which events of a stream."""
        if not doc["descriptor"]:
            raise DocumentError(f"stream_datum {doc['uid']!r} has no descriptor filled in")
        self._buffer("stream_datums", [_rows.stream_datum_row(doc, run_uid, next(self._order))])

    def _resource(self, doc: Document, run_uid: str, writer: tuple[str, int] | None) -> None:
        """A legacy resource, kept whole."""
        self._keep_whole("resource", doc["uid"], run_uid, doc)

    def _datum(self, doc: Document, run_uid: str, writer: tuple[str, int] | None) -> None:
        """A legacy datum, kept whole."""
        self._keep_whole("datum", doc["datum_id"], run_uid, doc)

    def _datum_page(self, doc: Document, run_uid: str, writer: tuple[str, int] | None) -> None:
        """A legacy datum page, kept as the datums it holds."""
        for datum in _rows.unpack_datum_page(doc):
            self._datum(datum, run_uid, writer)

    def _keep_whole(self, name: str, uid: str, run_uid: str, doc: Document) -> None:
        """Queue a document stored whole in ``other_documents``."""
        row = (uid, name, run_uid, _json.dumps(doc), next(self._order))
        self._buffer("other_documents", [row])

    def _stored_run(self, table: str, uid: str) -> str | None:
        """The run of a committed row (``runs`` rows are their own run)."""
        column = "uid" if table == "runs" else "run_uid"
        found = self._connection.execute(
            f"SELECT {column} FROM {table} WHERE uid = ?", (uid,)
        ).fetchone()
        return None if found is None or found[0] is None else str(found[0])

"""Buffer incoming documents as rows and write them to the catalog in transactions.

The ingester is the catalog's write path: it resolves each document's run (an event names only
its descriptor, a stream datum only its resource), turns it into rows, and commits the rows in
one transaction per :meth:`Ingester.flush`. The caller decides when to flush.
"""

from __future__ import annotations

import itertools
import sqlite3
import time
from collections.abc import Callable, Iterable
from typing import Any

from . import _json, _rows
from ._errors import CatalogError, DocumentError
from ._rows import Document, KeyRow, Row

# Documents after which a live catalog commits at once: a finished run is on disk at once.
COMMIT_AT_ONCE = frozenset({"stop"})


class Ingester:
    """Rows waiting to be committed, and what is known of each document's parent run."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        """Write through ``connection`` (the caller serialises calls with its own lock)."""
        self._connection = connection
        self._tables: dict[str, list[Row]] = {table: [] for table in _rows.INSERTS}
        self._starts: list[tuple[Row, list[KeyRow], str]] = []
        self._stops: list[tuple[Row, list[KeyRow]]] = []
        self._pending = 0
        self._run_of_descriptor: dict[str, str] = {}
        self._run_of_resource: dict[str, str] = {}
        self._known_runs: set[str] = set()
        self.open_live_runs: set[str] = set()
        # Monotonic across sessions, so a run's documents keep their arrival order on export.
        self._order = itertools.count(time.time_ns())
        self._handlers: dict[str, Callable[[Document, tuple[str, int] | None], None]] = {
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

    @property
    def pending(self) -> int:
        """How many rows wait for the next flush."""
        return self._pending

    def add(self, name: str, doc: Document, writer: tuple[str, int] | None = None) -> None:
        """Buffer one document; ``writer`` (host, pid) marks a start as written live."""
        handler = self._handlers.get(name)
        if handler is None:
            known = ", ".join(sorted(self._handlers))
            raise DocumentError(f"unknown document name {name!r}; the catalog ingests: {known}")
        try:
            handler(doc, writer)
        except KeyError as missing:
            raise DocumentError(
                f"{name} document lacks the field {missing}: {doc!r:.200}"
            ) from None

    def flush(self) -> None:
        """Commit every buffered row in one transaction."""
        if not self._pending:
            return
        tables, starts, stops = self._tables, self._starts, self._stops
        self._tables = {table: [] for table in _rows.INSERTS}
        self._starts, self._stops, self._pending = [], [], 0
        connection = self._connection
        try:
            connection.execute("BEGIN IMMEDIATE")
            self._write_starts(starts)
            for table, rows in tables.items():
                if rows:
                    connection.executemany(_rows.INSERTS[table], rows)
            self._write_stops(stops)
            connection.execute("COMMIT")
        except sqlite3.Error as error:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise CatalogError(f"could not write documents to the catalog: {error}") from error

    def _write_starts(self, starts: list[tuple[Row, list[KeyRow], str]]) -> None:
        """Insert new runs with their key rows and full-text entries (replays insert nothing)."""
        keys: list[Row] = []
        texts: list[Row] = []
        for row, key_rows, text in starts:
            cursor = self._connection.execute(_rows.START_INSERT, row)
            if cursor.rowcount == 1:
                run_id = cursor.lastrowid
                keys.extend((run_id, *key) for key in key_rows)
                texts.append((run_id, text))
        self._connection.executemany(_rows.KEY_INSERT, keys)
        self._connection.executemany(_rows.FULLTEXT_INSERT, texts)

    def _write_stops(self, stops: list[tuple[Row, list[KeyRow]]]) -> None:
        """Fill runs' stop columns and add the stop's key rows, once per run."""
        keys: list[Row] = []
        for values, key_rows in stops:
            if self._connection.execute(_rows.STOP_UPDATE, values).rowcount == 1:
                run_uid = values[-1]
                (run_id,) = self._connection.execute(
                    "SELECT id FROM runs WHERE uid = ?", (run_uid,)
                ).fetchone()
                keys.extend((run_id, *key) for key in key_rows)
        self._connection.executemany(_rows.KEY_INSERT, keys)

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

    def _start(self, doc: Document, writer: tuple[str, int] | None) -> None:
        """A new run: its row, one key row per metadata scalar."""
        uid = doc["uid"]
        key_rows = _rows.key_rows(doc)
        self._starts.append((_rows.start_row(doc, writer), key_rows, _rows.search_text(key_rows)))
        self._pending += 1 + len(key_rows)
        self._known_runs.add(uid)
        if writer is not None:
            self.open_live_runs.add(uid)

    def _stop(self, doc: Document, writer: tuple[str, int] | None) -> None:
        """The end of a run: fills its stop columns."""
        run_uid = self._require_run(doc["run_start"], "stop", doc["uid"])
        key_rows = _rows.key_rows(doc, prefix="stop.")
        self._stops.append((_rows.stop_values(doc), key_rows))
        self._pending += 1 + len(key_rows)
        self.open_live_runs.discard(run_uid)

    def _descriptor(self, doc: Document, writer: tuple[str, int] | None) -> None:
        """A stream's descriptor and its data keys."""
        run_uid = self._require_run(doc["run_start"], "descriptor", doc["uid"])
        self._run_of_descriptor[doc["uid"]] = run_uid
        self._buffer("descriptors", [_rows.descriptor_row(doc, next(self._order))])
        self._buffer("data_keys", _rows.data_key_rows(doc))

    def _event(self, doc: Document, writer: tuple[str, int] | None) -> None:
        """One event."""
        run_uid = self._descriptor_run(doc["descriptor"], "event", doc["uid"])
        self._buffer("events", [_rows.event_row(doc, run_uid, next(self._order))])

    def _event_page(self, doc: Document, writer: tuple[str, int] | None) -> None:
        """An event page, stored as the events it holds."""
        run_uid = self._descriptor_run(doc["descriptor"], "event_page", "")
        rows = [
            _rows.event_row(e, run_uid, next(self._order)) for e in _rows.unpack_event_page(doc)
        ]
        self._buffer("events", rows)

    def _stream_resource(self, doc: Document, writer: tuple[str, int] | None) -> None:
        """A file (or store) holding one data key's external data."""
        run_uid = self._resource_run(doc)
        self._run_of_resource[doc["uid"]] = run_uid
        self._buffer(
            "stream_resources", [_rows.stream_resource_row(doc, run_uid, next(self._order))]
        )

    def _stream_datum(self, doc: Document, writer: tuple[str, int] | None) -> None:
        """Which frames of a stream resource belong to which events of a stream."""
        if not doc["descriptor"]:
            raise DocumentError(f"stream_datum {doc['uid']!r} has no descriptor filled in")
        run_uid = self._parent(self._run_of_resource, "stream_resources", doc["stream_resource"])
        if run_uid is None:
            raise _unknown_parent(
                "stream_datum", doc["uid"], "stream_resource", doc["stream_resource"]
            )
        self._buffer("stream_datums", [_rows.stream_datum_row(doc, run_uid, next(self._order))])

    def _resource(self, doc: Document, writer: tuple[str, int] | None) -> None:
        """A legacy resource, kept whole."""
        run_uid = self._resource_run(doc)
        self._run_of_resource[doc["uid"]] = run_uid
        self._other("resource", doc["uid"], run_uid, doc)

    def _datum(self, doc: Document, writer: tuple[str, int] | None) -> None:
        """A legacy datum, kept whole."""
        run_uid = self._parent(self._run_of_resource, "other_documents", doc["resource"])
        self._other("datum", doc["datum_id"], run_uid, doc)

    def _datum_page(self, doc: Document, writer: tuple[str, int] | None) -> None:
        """A legacy datum page, kept as the datums it holds."""
        for datum in _rows.unpack_datum_page(doc):
            self._datum(datum, writer)

    def _other(self, name: str, uid: str, run_uid: str | None, doc: Document) -> None:
        """Queue a document stored whole in ``other_documents``."""
        row = (uid, name, run_uid, _json.dumps(doc), next(self._order))
        self._buffer("other_documents", [row])

    def _resource_run(self, doc: Document) -> str:
        """The run of a (stream) resource: its run_start, or the only run being written."""
        run_start: Any = doc.get("run_start")
        if not run_start and len(self.open_live_runs) == 1:
            run_start = next(iter(self.open_live_runs))
        if not run_start:
            raise DocumentError(f"resource {doc['uid']!r} has no run_start and no run is open")
        return self._require_run(run_start, "resource", doc["uid"])

    def _require_run(self, run_uid: str, name: str, uid: str) -> str:
        """``run_uid`` if its start has been seen, else a clear error."""
        if run_uid in self._known_runs or self._exists("runs", run_uid):
            self._known_runs.add(run_uid)
            return run_uid
        raise _unknown_parent(name, uid, "run start", run_uid)

    def _descriptor_run(self, descriptor: str, name: str, uid: str) -> str:
        """The run an event belongs to, through its descriptor."""
        run_uid = self._parent(self._run_of_descriptor, "descriptors", descriptor)
        if run_uid is None:
            raise _unknown_parent(name, uid, "descriptor", descriptor)
        return run_uid

    def _parent(self, cache: dict[str, str], table: str, uid: str) -> str | None:
        """Look a parent's run up in the session cache, then in the stored table."""
        run_uid = cache.get(uid)
        if run_uid is None:
            found = self._connection.execute(
                f"SELECT run_uid FROM {table} WHERE uid = ?", (uid,)
            ).fetchone()
            if found is not None and found[0] is not None:
                run_uid = cache[uid] = str(found[0])
        return run_uid

    def _exists(self, table: str, uid: str) -> bool:
        """Is a row with this uid already committed?"""
        query = f"SELECT 1 FROM {table} WHERE uid = ?"
        return self._connection.execute(query, (uid,)).fetchone() is not None


def _unknown_parent(name: str, uid: str, parent: str, parent_uid: str) -> DocumentError:
    """The error for a document whose parent the catalog has never seen."""
    return DocumentError(
        f"{name} {uid!r} refers to {parent} {parent_uid!r}, which the catalog has not seen; "
        f"ingest the {parent} first"
    )

"""One stored run: its start and stop, descriptors, streams and documents."""

from __future__ import annotations

import functools
import heapq
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from . import _json, _rows
from ._errors import NotFoundError
from ._export import export_run
from ._status import run_status
from ._store import Store
from ._stream import Stream

# The runs columns a Run is made from, in this order.
RUN_COLUMNS = (
    "r.uid, r.start_doc, r.stop_doc, r.exit_status, r.writer_host, r.writer_pid, r.interrupted, "
    "r.time, r.id"
)

_DOCUMENT_QUERIES: dict[str, str] = {
    "descriptor": "SELECT ingest_order, doc FROM descriptors WHERE run_uid = ?",
    "stream_resource": "SELECT ingest_order, doc FROM stream_resources WHERE run_uid = ?",
    "stream_datum": "SELECT ingest_order, uid, stream_resource, descriptor_uid, index_start, "
    "index_stop, seq_start, seq_stop FROM stream_datums WHERE run_uid = ?",
    "event": "SELECT ingest_order, uid, descriptor_uid, seq_num, time, data, timestamps, filled "
    "FROM events WHERE run_uid = ?",
    "other": "SELECT ingest_order, name, doc FROM other_documents WHERE run_uid = ?",
}


class Run:
    """A run in the catalog. Its stop, descriptors and streams are read afresh while it acquires."""

    def __init__(self, store: Store, row: tuple[Any, ...]) -> None:
        """Build from a row of :data:`RUN_COLUMNS` (documents are parsed when first used)."""
        uid, start_doc, *stop_columns, time, run_id = row
        self._store = store
        self.uid: str = uid
        self.position: tuple[float, int] = (time, run_id)
        self._start_text: str = start_doc
        self._stop_columns: tuple[Any, ...] = tuple(stop_columns)
        self._stop: dict[str, Any] | None = None

    def __repr__(self) -> str:
        """Scan id, uid, plan and status."""
        plan = self.start.get("plan_name", "")
        return f"<Run scan_id={self.start.get('scan_id')} uid={self.uid[:8]} {plan} {self.status}>"

    @functools.cached_property
    def start(self) -> dict[str, Any]:
        """The start document."""
        loaded: dict[str, Any] = _json.loads(self._start_text)
        return loaded

    @property
    def stop(self) -> dict[str, Any] | None:
        """The stop document, or None while acquiring (or if the run never finished)."""
        if self._stop is None:
            stop_doc = self._current_stop_columns()[0]
            self._stop = _json.loads(stop_doc) if stop_doc is not None else None
        return self._stop

    @property
    def status(self) -> str:
        """``success``, ``abort``, ``fail``, ``acquiring``, ``incomplete`` or ``interrupted``."""
        stop_doc, exit_status, host, pid, interrupted = self._current_stop_columns()
        return run_status(exit_status, stop_doc is not None, host, pid, interrupted)

    @property
    def interruption(self) -> str | None:
        """Why the run has no stop, when its writer died and it was recovered; else None."""
        reason: str | None = self._current_stop_columns()[4]
        return reason

    @property
    def complete(self) -> bool:
        """Has the run's stop document arrived?"""
        return self.stop is not None

    @property
    def metadata(self) -> dict[str, Any]:
        """``{"start": ..., "stop": ...}``."""
        return {"start": self.start, "stop": self.stop}

    @property
    def descriptors(self) -> list[dict[str, Any]]:
        """Every event descriptor of the run, in arrival order."""
        rows = self._store.query(
            "SELECT doc FROM descriptors WHERE run_uid = ? ORDER BY ingest_order", (self.uid,)
        )
        return [_json.loads(doc) for (doc,) in rows]

    @property
    def stream_resources(self) -> list[dict[str, Any]]:
        """The run's stream resources (which files hold which data key), in arrival order."""
        rows = self._store.query(
            "SELECT doc FROM stream_resources WHERE run_uid = ? ORDER BY ingest_order", (self.uid,)
        )
        return [_json.loads(doc) for (doc,) in rows]

    @property
    def num_events(self) -> int:
        """Events in all streams: the stop's count, or those stored so far while acquiring."""
        stop = self.stop
        if stop is not None and isinstance(stop.get("num_events"), dict):
            return sum(int(n) for n in stop["num_events"].values())
        rows = self._store.query("SELECT count(*) FROM events WHERE run_uid = ?", (self.uid,))
        return int(rows[0][0])

    @property
    def stream_names(self) -> list[str]:
        """The names of the run's streams, in order of first appearance."""
        rows = self._store.query(
            "SELECT name FROM descriptors WHERE run_uid = ? GROUP BY name "
            "ORDER BY min(ingest_order)",
            (self.uid,),
        )
        return [name for (name,) in rows]

    def __iter__(self) -> Iterator[str]:
        """The stream names."""
        return iter(self.stream_names)

    def __contains__(self, name: object) -> bool:
        """Does the run have a stream of this name?"""
        return name in self.stream_names

    def __getitem__(self, name: str) -> Stream:
        """The stream ``name`` (e.g. ``"primary"``)."""
        names = self.stream_names
        if name not in names:
            have = ", ".join(repr(n) for n in names) or "none yet"
            raise NotFoundError(f"run {self.uid[:8]} has no stream {name!r}; streams: {have}")
        return Stream(self._store, self.uid, name)

    def documents(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every stored document of the run as ``(name, doc)``, in the order they arrived."""
        yield "start", self.start
        queries = [self._documents(name, sql) for name, sql in _DOCUMENT_QUERIES.items()]
        for _, name, doc in heapq.merge(*queries, key=lambda item: item[0]):
            yield name, doc
        if self.stop is not None:
            yield "stop", self.stop

    def export(self, fmt: str, to: str | Path) -> list[Path]:
        """Write the run's documents as ``fmt`` (see ``export_formats()``) into folder ``to``."""
        return export_run(self, fmt, to)

    def _documents(self, name: str, sql: str) -> Iterator[tuple[int, str, dict[str, Any]]]:
        """(arrival order, name, document) of one kind, in arrival order."""
        rows = self._store.query(f"{sql} ORDER BY ingest_order", (self.uid,))
        for order, *values in rows:
            if name == "event":
                yield order, name, _rows.event_from_row(tuple(values))
            elif name == "stream_datum":
                yield order, name, _rows.stream_datum_from_row(tuple(values))
            elif name == "other":
                yield order, str(values[0]), _json.loads(values[1])
            else:
                yield order, name, _json.loads(values[0])

    def _current_stop_columns(self) -> tuple[Any, ...]:
        """(stop_doc, exit_status, writer_host, writer_pid, interrupted), fresh until stopped."""
        if self._stop_columns[0] is None:
            rows = self._store.query(
                "SELECT stop_doc, exit_status, writer_host, writer_pid, interrupted "
                "FROM runs WHERE uid = ?",
                (self.uid,),
            )
            if rows:
                self._stop_columns = tuple(rows[0])
        return self._stop_columns

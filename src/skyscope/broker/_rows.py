"""Turn documents into table rows, and stored rows back into documents.

Every insert is ``ON CONFLICT DO NOTHING`` on the document's uid (plain SQL that SQLite and
PostgreSQL both speak), which is what makes ingest idempotent: a replayed document is a no-op.
A run's key rows and full-text entry are written only when its start row is new.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from . import _json

Row = tuple[object, ...]
# (key, position, kind, value_text, value_num): a run_keys row without its run id.
KeyRow = tuple[str, int, str, str | None, int | float | None]
Document = Mapping[str, Any]

# Nested dictionaries in start documents are indexed as dotted keys down to this depth.
MAX_KEY_DEPTH = 4
_UID_KEYS = frozenset({"uid", "stop.uid", "stop.run_start"})

# Starts' rows, many per statement; it returns (id, uid) of the runs that were new.
START_COLUMNS = "uid, scan_id, time, plan_name, sample, start_doc, writer_host, writer_pid"
START_ROW_MARKS = "(?, ?, ?, ?, ?, ?, ?, ?)"
# Rows per INSERT of starts (8 parameters each, well below every database's parameter limit).
STARTS_PER_INSERT = 500


def start_insert(rows: int) -> str:
    """The INSERT of ``rows`` starts (ON CONFLICT: replays insert nothing, return nothing)."""
    marks = ", ".join([START_ROW_MARKS] * rows)
    return (
        f"INSERT INTO runs ({START_COLUMNS}) VALUES {marks} "
        "ON CONFLICT (uid) DO NOTHING RETURNING id, uid"
    )


KEY_INSERT = (
    "INSERT INTO run_keys (run_id, key, position, kind, value_text, value_num) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)

INSERTS: dict[str, str] = {
    "descriptors": "INSERT INTO descriptors (uid, run_uid, name, time, doc, ingest_order) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (uid) DO NOTHING",
    "data_keys": "INSERT INTO data_keys (descriptor_uid, key, run_uid, stream, dtype, shape, "
    "source, external) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (descriptor_uid, key) DO NOTHING",
    "stream_resources": "INSERT INTO stream_resources (uid, run_uid, data_key, mimetype, uri, "
    "parameters, doc, ingest_order) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (uid) DO NOTHING",
    "stream_datums": "INSERT INTO stream_datums (uid, stream_resource, descriptor_uid, run_uid, "
    "index_start, index_stop, seq_start, seq_stop, ingest_order) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (uid) DO NOTHING",
    "events": "INSERT INTO events (uid, descriptor_uid, run_uid, seq_num, time, data, timestamps, "
    "filled, ingest_order) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (uid) DO NOTHING",
    "other_documents": "INSERT INTO other_documents (uid, name, run_uid, doc, ingest_order) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (uid) DO NOTHING",
}

# A stop fills the run's stop columns once; a replayed stop finds them filled and changes nothing.
# It returns the run's id when it did fill them.
STOP_UPDATE = (
    "UPDATE runs SET stop_uid = ?, stop_time = ?, exit_status = ?, num_events = ?, stop_doc = ? "
    "WHERE uid = ? AND stop_uid IS NULL RETURNING id"
)


def start_row(doc: Document, writer: tuple[str, int] | None) -> Row:
    """The ``runs`` row of a start document; ``writer`` is (host, pid) of a live writer."""
    host, pid = writer if writer is not None else (None, None)
    scan_id = doc.get("scan_id")
    return (
        doc["uid"],
        scan_id if isinstance(scan_id, int) and not isinstance(scan_id, bool) else None,
        float(doc["time"]),
        _text_or_none(doc.get("plan_name")),
        _text_or_none(doc.get("sample")),
        _json.dumps(doc),
        host,
        pid,
    )


def key_rows(doc: Document, prefix: str = "") -> list[KeyRow]:
    """``(key, position, kind, text, number)`` per scalar of a document (dotted nested keys).

    Document and run uids are left out: the runs table indexes them already.
    """
    return [row for row in _flatten(prefix, doc, depth=0) if row[0] not in _UID_KEYS]


def search_text(rows: list[KeyRow]) -> str:
    """The words full-text search finds a run by: its metadata's text and number values."""
    words = [text for _, _, kind, text, _ in rows if kind == "str" and text is not None]
    numbers = [number for _, _, kind, _, number in rows if kind == "num" and number is not None]
    words.extend(str(int(n)) if float(n).is_integer() else repr(n) for n in numbers)
    return " ".join(words)


def _flatten(prefix: str, mapping: Document, depth: int) -> Iterator[KeyRow]:
    """Walk nested dicts, yielding scalars and the scalar items of lists."""
    for name, value in mapping.items():
        key = f"{prefix}{name}"
        typed = typed_value(value)
        if typed is not None:
            yield (key, -1, *typed)
        elif isinstance(value, list | tuple):
            for position, item in enumerate(value):
                typed = typed_value(item)
                if typed is not None:
                    yield (key, position, *typed)
        elif isinstance(value, Mapping) and depth < MAX_KEY_DEPTH:
            yield from _flatten(f"{key}.", value, depth + 1)


def typed_value(value: object) -> tuple[str, str | None, int | float | None] | None:
    """(kind, value_text, value_num) of a scalar; None for what the key table cannot hold.

    Integers that fit in 64 bits are kept exact; larger ones, like all floats, as doubles.
    """
    if isinstance(value, str):
        return ("str", str(value), None)
    if isinstance(value, bool):
        return ("bool", None, int(value))
    if isinstance(value, int):
        return ("num", None, exact_number(value))
    if isinstance(value, float):
        return ("num", None, None if value != value else value)  # NaN is stored as NULL
    if value is None:
        return ("null", None, None)
    if isinstance(value, np.generic):
        return typed_value(value.item())
    return None


def exact_number(value: int) -> int | float:
    """An integer as the database can hold it: exact within 64 bits, else a double."""
    return value if -(2**63) <= value < 2**63 else float(value)


def _text_or_none(value: object) -> str | None:
    """A text column's value: strings as they are, anything else as missing."""
    return value if isinstance(value, str) else None


def stop_values(doc: Document) -> Row:
    """The parameters of :data:`STOP_UPDATE` for a stop document."""
    num_events = doc.get("num_events") or {}
    total = sum(int(n) for n in num_events.values()) if isinstance(num_events, Mapping) else None
    return (
        doc["uid"],
        float(doc["time"]),
        _text_or_none(doc.get("exit_status")),
        total,
        _json.dumps(doc),
        doc["run_start"],
    )


def descriptor_row(doc: Document, order: int) -> Row:
    """The ``descriptors`` row of an event descriptor."""
    return (
        doc["uid"],
        doc["run_start"],
        doc.get("name", "primary"),
        doc.get("time"),
        _json.dumps(doc),
        order,
    )


def data_key_rows(doc: Document) -> Iterator[Row]:
    """One ``data_keys`` row per data key a descriptor declares."""
    stream = doc.get("name", "primary")
    for key, data_key in (doc.get("data_keys") or {}).items():
        yield (
            doc["uid"],
            key,
            doc["run_start"],
            stream,
            data_key.get("dtype"),
            _json.dumps(data_key.get("shape")),
            data_key.get("source"),
            data_key.get("external"),
        )


def event_row(doc: Document, run_uid: str, order: int) -> Row:
    """The ``events`` row of an event document."""
    return (
        doc["uid"],
        doc["descriptor"],
        run_uid,
        int(doc["seq_num"]),
        float(doc["time"]),
        _json.dumps(doc["data"]),
        _json.dumps(doc.get("timestamps", {})),
        _json.dumps(doc["filled"]) if doc.get("filled") else None,
        order,
    )


def unpack_event_page(page: Document) -> Iterator[dict[str, Any]]:
    """The events an event page stands for, one by one."""
    data, timestamps = page["data"], page.get("timestamps", {})
    filled = page.get("filled") or {}
    for i, uid in enumerate(page["uid"]):
        yield {
            "uid": uid,
            "descriptor": page["descriptor"],
            "seq_num": page["seq_num"][i],
            "time": page["time"][i],
            "data": {key: values[i] for key, values in data.items()},
            "timestamps": {key: values[i] for key, values in timestamps.items()},
            "filled": {key: values[i] for key, values in filled.items()},
        }


def unpack_datum_page(page: Document) -> Iterator[dict[str, Any]]:
    """The (legacy) datum documents a datum page stands for."""
    kwargs = page.get("datum_kwargs") or {}
    for i, datum_id in enumerate(page["datum_id"]):
        yield {
            "datum_id": datum_id,
            "resource": page["resource"],
            "datum_kwargs": {key: values[i] for key, values in kwargs.items()},
        }


def stream_resource_row(doc: Document, run_uid: str, order: int) -> Row:
    """The ``stream_resources`` row of a stream resource."""
    stored = {**doc, "run_start": run_uid}
    return (
        doc["uid"],
        run_uid,
        doc["data_key"],
        doc["mimetype"],
        doc["uri"],
        _json.dumps(doc.get("parameters", {})),
        _json.dumps(stored),
        order,
    )


def stream_datum_row(doc: Document, run_uid: str, order: int) -> Row:
    """The ``stream_datums`` row of a stream datum."""
    indices, seq_nums = doc["indices"], doc["seq_nums"]
    return (
        doc["uid"],
        doc["stream_resource"],
        doc["descriptor"],
        run_uid,
        int(indices["start"]),
        int(indices["stop"]),
        int(seq_nums["start"]),
        int(seq_nums["stop"]),
        order,
    )


def event_from_row(row: Row) -> dict[str, Any]:
    """Rebuild an event document from ``uid, descriptor, seq_num, time, data, ts, filled``."""
    uid, descriptor, seq_num, time, data, timestamps, filled = row
    return {
        "uid": uid,
        "descriptor": descriptor,
        "seq_num": seq_num,
        "time": time,
        "data": _json.loads(str(data)),
        "timestamps": _json.loads(str(timestamps)),
        "filled": _json.loads(str(filled)) if filled is not None else {},
    }


def stream_datum_from_row(row: Row) -> dict[str, Any]:
    """Rebuild a stream datum from ``uid, resource, descriptor, i0, i1, s0, s1``."""
    uid, resource, descriptor, index_start, index_stop, seq_start, seq_stop = row
    return {
        "uid": uid,
        "stream_resource": resource,
        "descriptor": descriptor,
        "indices": {"start": index_start, "stop": index_stop},
        "seq_nums": {"start": seq_start, "stop": seq_stop},
    }

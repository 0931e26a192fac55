"""Event ⇄ EventPage and Datum ⇄ DatumPage: rows to columns and back.

Values are moved, not copied: a page made from events holds the events' own values, and
events unpacked from a page with numpy columns hold views (or numpy scalars) of them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ._asset_types import Datum, DatumPage
from ._errors import DocumentValidationError
from ._event_types import Event, EventPage


def pack_event_page(*events: Event) -> EventPage:
    """Pack events of one descriptor (all with the same data keys) into one event page."""
    _require_one_parent("event_page", [event["descriptor"] for event in events], "descriptor")
    return {
        "uid": [event["uid"] for event in events],
        "time": [event["time"] for event in events],
        "descriptor": events[0]["descriptor"],
        "seq_num": [event["seq_num"] for event in events],
        "data": _columns("event_page", "data", [event["data"] for event in events]),
        "timestamps": _columns("event_page", "timestamps", [e["timestamps"] for e in events]),
        "filled": _columns("event_page", "filled", [e.get("filled", {}) for e in events]),
    }


def unpack_event_page(page: EventPage) -> Iterator[Event]:
    """Yield the events of an event page, in order."""
    data, stamps, filled = page["data"], page["timestamps"], page.get("filled", {})
    for row, (uid, time, seq_num) in enumerate(
        zip(page["uid"], page["time"], page["seq_num"], strict=True)
    ):
        yield {
            "uid": uid,
            "time": time,
            "descriptor": page["descriptor"],
            "seq_num": seq_num,
            "data": _row(data, row),
            "timestamps": _row(stamps, row),
            "filled": _row(filled, row),
        }


def pack_datum_page(*datums: Datum) -> DatumPage:
    """Pack datums of one resource (all with the same keyword names) into one datum page."""
    _require_one_parent("datum_page", [datum["resource"] for datum in datums], "resource")
    return {
        "datum_id": [datum["datum_id"] for datum in datums],
        "resource": datums[0]["resource"],
        "datum_kwargs": _columns("datum_page", "datum_kwargs", [d["datum_kwargs"] for d in datums]),
    }


def unpack_datum_page(page: DatumPage) -> Iterator[Datum]:
    """Yield the datums of a datum page, in order."""
    for row, datum_id in enumerate(page["datum_id"]):
        yield {
            "datum_id": datum_id,
            "resource": page["resource"],
            "datum_kwargs": _row(page["datum_kwargs"], row),
        }


def _require_one_parent(kind: str, parents: Sequence[str], field: str) -> None:
    """Refuse an empty page, or rows that belong to different descriptors/resources."""
    if not parents:
        raise DocumentValidationError(kind, f"a {kind} needs at least one row to pack")
    if len(set(parents)) > 1:
        raise DocumentValidationError(
            kind, f"rows of one page must share a {field}, got {sorted(set(parents))}"
        )


def _columns(kind: str, field: str, rows: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """Transpose rows (dicts with the same keys) into columns."""
    keys = rows[0].keys()
    for index, row in enumerate(rows):
        if row.keys() != keys:
            raise DocumentValidationError(
                kind,
                f"{field} of row {index} has keys {sorted(row)}, but row 0 has {sorted(keys)}; "
                "a page needs the same keys in every row",
            )
    return {key: [row[key] for row in rows] for key in keys}


def _row(columns: Mapping[str, Sequence[Any]], row: int) -> dict[str, Any]:
    return {key: column[row] for key, column in columns.items()}

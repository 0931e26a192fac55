"""Which of a stream's data keys become table columns (and why the others do not).

Tabular exporters (CSV, the per-run HDF5 file) write one table per stream, one row per event,
with ``time`` and ``seq_num`` first. Keys whose data live in a detector's files
(``external``) never become columns; CSV also leaves out arrays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from skyscope.documents import DataKey

from ._document_exporter import Document


@dataclass(frozen=True)
class StreamColumns:
    """The columns of one stream's table, from its descriptor."""

    stream: str
    """The stream's name (the descriptor's ``name``)."""
    keys: tuple[str, ...]
    """The data keys written as columns, in the descriptor's order."""
    data_keys: Mapping[str, DataKey]
    """The descriptor's data keys (all of them)."""
    skipped: dict[str, str] = field(default_factory=dict)
    """Data keys not written, with the reason."""


def stream_columns(descriptor: Document, *, arrays: bool) -> StreamColumns:
    """Pick the columns of ``descriptor``'s stream: scalars, and fixed-shape arrays if ``arrays``.

    External keys (frames in files) and, for ``arrays=False``, keys with a shape are skipped.
    """
    data_keys: Mapping[str, DataKey] = descriptor.get("data_keys", {})
    keys: list[str] = []
    skipped: dict[str, str] = {}
    for key, data_key in data_keys.items():
        reason = _why_not_a_column(data_key, arrays=arrays)
        if reason:
            skipped[key] = reason
        else:
            keys.append(key)
    return StreamColumns(descriptor.get("name", "primary"), tuple(keys), data_keys, skipped)


def _why_not_a_column(data_key: DataKey, *, arrays: bool) -> str:
    if data_key.get("external"):
        return f"external ({data_key['external']}): the data are in a detector's files"
    shape = list(data_key.get("shape") or [])
    if shape and not arrays:
        return f"array of shape {shape}"
    if any(n is None or n < 0 for n in shape):
        return f"array of variable shape {shape}"
    return ""


class TableNames:
    """Names one table per stream, so that no table mixes different columns.

    A later descriptor of a stream with other columns (after ``configure``) gets a table of
    its own, ``<stream>-2``, ``<stream>-3``…
    """

    def __init__(self) -> None:
        self._tables: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        self._taken: set[str] = set()

    def name(self, columns: StreamColumns) -> tuple[str, bool]:
        """Return the table for ``columns`` and whether it is new."""
        known = self._tables.setdefault(columns.stream, [])
        for keys, table in known:
            if keys == columns.keys:
                return table, False
        table = safe_name(columns.stream)
        number = 1
        while table in self._taken:
            number += 1
            table = f"{safe_name(columns.stream)}-{number}"
        self._taken.add(table)
        known.append((columns.keys, table))
        return table, True


def fixed_shape(data_key: DataKey) -> tuple[int, ...]:
    """Return a column's per-row shape (``()`` for scalars; columns never have open sizes)."""
    return tuple(int(n) for n in data_key.get("shape") or () if n is not None)


def safe_name(name: str) -> str:
    """Return ``name`` usable as one file name or one HDF5 link name (no ``/``, not empty)."""
    cleaned = name.replace("/", "_").replace("\\", "_").strip()
    return cleaned if cleaned not in ("", ".", "..") else f"_{cleaned}_"


def plain(value: Any) -> Any:
    """Return a numpy scalar as the Python value it holds (other values unchanged)."""
    item = getattr(value, "item", None)
    return item() if callable(item) and getattr(value, "ndim", 1) == 0 else value

"""Assemble one stream's rows: scalars from events, frames (lazily) from stream datums.

A row is a seq_num. When the stream has events, a row needs its event; every external data key
must also have a stream datum covering the row. A run still acquiring is therefore read up to
its last complete row, and a stream made only of stream datums (a fly scan) still has rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from skyscope.documents import DataKey

from . import _json
from ._frames import Resource, StreamFrames

# (seq_start, seq_stop, index_start, resource uid, data_key, mimetype, uri, parameters JSON)
DatumRow = tuple[int, int, int, str, str, str, str, str]
# (seq_num, time, data JSON)
EventRow = tuple[int, float, str]


@dataclass
class StreamTable:
    """A stream's rows: coordinates, scalar columns, and lazy frame columns."""

    seq_num: np.ndarray[Any, Any]
    time: np.ndarray[Any, Any]
    scalars: dict[str, np.ndarray[Any, Any]] = field(default_factory=dict)
    frames: dict[str, StreamFrames] = field(default_factory=dict)


def is_external(data_key: Mapping[str, Any]) -> bool:
    """Is this data key's data in stream resources (``external: "STREAM:"``)?"""
    return str(data_key.get("external") or "").startswith("STREAM:")


def build_table(
    data_keys: Mapping[str, DataKey], events: Sequence[EventRow], datums: Sequence[DatumRow]
) -> StreamTable:
    """The stream's complete rows, from its stored events and stream datums."""
    external = [key for key, data_key in data_keys.items() if is_external(data_key)]
    resources, coverage = _coverage(datums)
    by_seq = {int(seq): (time, data) for seq, time, data in events}
    candidates = [set(coverage.get(key, {})) for key in external]
    if by_seq:
        candidates.append(set(by_seq))
    rows = sorted(set.intersection(*candidates)) if candidates else []
    table = StreamTable(
        seq_num=np.asarray(rows, dtype=np.int64),
        time=np.asarray([by_seq[s][0] if s in by_seq else np.nan for s in rows], dtype=float),
    )
    decoded = [_json.loads(by_seq[s][1]) if s in by_seq else {} for s in rows]
    for key in data_keys:
        if key in external:
            frame_rows = [coverage[key][s] for s in rows]
            table.frames[key] = StreamFrames(key, data_keys[key], resources, frame_rows)
        else:
            values = [data.get(key) for data in decoded]
            table.scalars[key] = column(values, data_keys[key].get("dtype_numpy"))
    return table


def _coverage(
    datums: Iterable[DatumRow],
) -> tuple[dict[str, Resource], dict[str, dict[int, tuple[str, int]]]]:
    """Resources by uid, and for each data key: seq_num -> (resource uid, frame index)."""
    resources: dict[str, Resource] = {}
    coverage: dict[str, dict[int, tuple[str, int]]] = {}
    for seq_start, seq_stop, index_start, uid, key, mimetype, uri, parameters in datums:
        if uid not in resources:
            resources[uid] = Resource(uid, mimetype, uri, _json.loads(parameters))
        rows = coverage.setdefault(key, {})
        for offset in range(int(seq_stop) - int(seq_start)):
            rows[int(seq_start) + offset] = (uid, int(index_start) + offset)
    return resources, coverage


def column(values: list[Any], dtype_numpy: object = None) -> np.ndarray[Any, Any]:
    """A numpy column of event values, in the data key's own dtype when it names one.

    JSON brings uint16 frames back as Python ints; an object array when values do not stack.
    """
    if isinstance(dtype_numpy, str) and values:
        try:
            return np.asarray(values, dtype=np.dtype(dtype_numpy))
        except (TypeError, ValueError, OverflowError):
            pass  # a missing value or a value of another kind: let numpy choose
    try:
        return np.asarray(values)
    except ValueError:
        array = np.empty(len(values), dtype=object)
        array[:] = values
        return array

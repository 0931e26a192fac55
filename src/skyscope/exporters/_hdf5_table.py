"""One stream's events as columns of an HDF5 group, appended in blocks.

``/<table>/time`` and ``/<table>/seq_num`` hold one value per event; ``/<table>/data/<key>`` the
key's values (scalars, or fixed-shape arrays along a new first axis) and
``/<table>/timestamps/<key>`` when each was read. Rows are gathered in memory and appended
``block_rows`` at a time (one resize per block, not per event), and whenever asked to flush.
"""

from __future__ import annotations

from typing import Any

import h5py
import numpy as np

from skyscope.documents import DataKey, Event

from ._columns import StreamColumns, fixed_shape, plain, safe_name

_KIND_DTYPES = {"number": "<f8", "integer": "<i8", "boolean": "?"}
_CHUNK_BYTES = 1 << 16


class HDF5Table:
    """The columns of one stream in ``group``; ``add`` buffers a row, ``flush`` writes them."""

    def __init__(self, group: h5py.Group, columns: StreamColumns, *, block_rows: int) -> None:
        self.columns = columns
        self._block_rows = block_rows
        self._rows = 0
        self._time = _column(group, "time", np.dtype("<f8"), ())
        self._seq_num = _column(group, "seq_num", np.dtype("<i8"), ())
        self._data: dict[str, h5py.Dataset] = {}
        self._stamps: dict[str, h5py.Dataset] = {}
        for key in columns.keys:
            data_key = columns.data_keys[key]
            shape = fixed_shape(data_key)
            name = safe_name(key)
            self._data[key] = _column(group, f"data/{name}", column_dtype(data_key), shape)
            self._stamps[key] = _column(group, f"timestamps/{name}", np.dtype("<f8"), ())
            self._data[key].attrs["data_key"] = key
        self._pending: list[Event] = []

    @property
    def rows(self) -> int:
        """Return how many rows are in the file (not counting buffered ones)."""
        return self._rows

    def add(self, event: Event) -> None:
        """Buffer one event's row; write the block once it is full."""
        self._pending.append(event)
        if len(self._pending) >= self._block_rows:
            self.flush()

    def flush(self) -> None:
        """Append the buffered rows to every column."""
        events, self._pending = self._pending, []
        if not events:
            return
        start, stop = self._rows, self._rows + len(events)
        _append(self._time, start, stop, [e["time"] for e in events], "time")
        _append(self._seq_num, start, stop, [e["seq_num"] for e in events], "seq_num")
        for key in self.columns.keys:
            values = [plain(e["data"].get(key)) for e in events]
            stamps = [e["timestamps"].get(key, np.nan) for e in events]
            _append(self._data[key], start, stop, _filled(values, self._data[key].dtype), key)
            _append(self._stamps[key], start, stop, stamps, key)
        self._rows = stop


def column_dtype(data_key: DataKey) -> np.dtype[Any]:
    """Return the HDF5 dtype of a data key: its ``dtype_numpy``, else from its JSON kind."""
    strings: np.dtype[Any] = h5py.string_dtype()
    if data_key.get("dtype") == "string":
        return strings
    numpy_dtype = data_key.get("dtype_numpy")
    if numpy_dtype:
        dtype = np.dtype(numpy_dtype)
        return strings if dtype.kind in "UO" else dtype
    return np.dtype(_KIND_DTYPES.get(data_key.get("dtype", "number"), "<f8"))


def _column(group: h5py.Group, name: str, dtype: np.dtype[Any], shape: tuple[int, ...]) -> Any:
    row_bytes = max(1, dtype.itemsize * int(np.prod(shape)))
    rows_per_chunk = max(1, min(4096, _CHUNK_BYTES // row_bytes))
    return group.create_dataset(
        name,
        shape=(0, *shape),
        maxshape=(None, *shape),
        chunks=(rows_per_chunk, *shape),
        dtype=dtype,
    )


def _append(dataset: h5py.Dataset, start: int, stop: int, values: list[Any], key: str) -> None:
    dataset.resize(stop, axis=0)
    try:
        dataset[start:stop] = np.asarray(values, dtype=dataset.dtype)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"cannot store {key!r} in {dataset.name} ({dataset.dtype}, shape "
            f"{dataset.shape[1:]} per row): {error}"
        ) from error


def _filled(values: list[Any], dtype: np.dtype[Any]) -> list[Any]:
    """Replace missing values (None) by NaN, 0, False or "" as the dtype allows."""
    if all(value is not None for value in values):
        return values
    blank: Any = "" if h5py.check_string_dtype(dtype) else np.zeros((), dtype).item()
    if dtype.kind in "fc":
        blank = np.nan
    return [blank if value is None else value for value in values]

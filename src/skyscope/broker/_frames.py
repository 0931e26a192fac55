"""The frames of one external data key over a stream's rows, read only when indexed.

Stream datums say which frames (indices in a resource's file) belong to which events (seq_nums);
:class:`StreamFrames` maps each row of the stream to (resource, frame index) and opens files
through the reader registry on first use, reading runs of consecutive frames in one call.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from skyscope.documents import DataKey

from ._errors import ReaderError
from ._readers import FrameSource, frame_shape_of, get_reader


@dataclass(frozen=True)
class Resource:
    """Where a data key's frames live: a stream resource's mimetype, uri and parameters."""

    uid: str
    mimetype: str
    uri: str
    parameters: Mapping[str, Any]


class StreamFrames:
    """A lazy array ``(rows, *value shape)`` of one data key; ``np.asarray`` reads it all."""

    def __init__(
        self,
        key: str,
        data_key: DataKey,
        resources: Mapping[str, Resource],
        rows: Sequence[tuple[str, int]],
    ) -> None:
        """``rows[i]`` is (resource uid, index in that resource) of the stream's row ``i``."""
        self.key = key
        self._data_key = data_key
        self._resources = resources
        self._rows = rows
        self._sources: dict[str, FrameSource] = {}
        value_shape = frame_shape_of(data_key)
        dtype_numpy = data_key.get("dtype_numpy")
        if (value_shape is None or not isinstance(dtype_numpy, str)) and rows:
            first = self._source(rows[0][0])
            value_shape = value_shape or tuple(first.shape[1:])
            dtype_numpy = dtype_numpy if isinstance(dtype_numpy, str) else first.dtype.str
        self._value_shape: tuple[int, ...] = value_shape or ()
        self.dtype: np.dtype[Any] = np.dtype(dtype_numpy if isinstance(dtype_numpy, str) else "f8")
        self.shape: tuple[int, ...] = (len(rows), *self._value_shape)

    @property
    def ndim(self) -> int:
        """Number of dimensions."""
        return len(self.shape)

    def __len__(self) -> int:
        """Number of rows (events) in the stream."""
        return self.shape[0]

    def __repr__(self) -> str:
        """Shape and dtype, not the data."""
        return f"<StreamFrames {self.key!r} shape={self.shape} dtype={self.dtype}>"

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray[Any, Any]:
        """Read every frame."""
        data = np.asarray(self[:])
        return data if dtype is None else data.astype(dtype)

    def __getitem__(self, index: Any) -> Any:
        """Rows by int, slice, or integer array (plus indices into each frame)."""
        if index is Ellipsis or (isinstance(index, tuple) and Ellipsis in index):
            return self._read_rows(list(range(len(self))))[index]
        first, rest = (index[0], index[1:]) if isinstance(index, tuple) else (index, ())
        if isinstance(first, int | np.integer):
            return self._read_rows([_normalize(int(first), len(self))])[0][rest]
        rows = np.arange(len(self))[first]
        block = self._read_rows([int(r) for r in np.atleast_1d(rows)])
        return block[(slice(None), *rest)]

    def _read_rows(self, rows: list[int]) -> np.ndarray[Any, Any]:
        """Read rows into one array, one reader call per run of consecutive frames."""
        out = np.empty((len(rows), *self._value_shape), dtype=self.dtype)
        start = 0
        while start < len(rows):
            stop = self._run_end(rows, start)
            resource, index = self._rows[rows[start]]
            out[start:stop] = self._frames(resource, index, stop - start)
            start = stop
        return out

    def _run_end(self, rows: list[int], start: int) -> int:
        """End of the run of rows from ``start`` whose frames are consecutive in one resource."""
        resource, index = self._rows[rows[start]]
        stop = start + 1
        while stop < len(rows) and self._rows[rows[stop]] == (resource, index + stop - start):
            stop += 1
        return stop

    def _frames(self, resource: str, index: int, count: int) -> np.ndarray[Any, Any]:
        """``count`` values from ``index`` of a resource, shaped ``(count, *value shape)``."""
        source = self._source(resource)
        per_value = max(1, math.prod(self._value_shape) // max(1, math.prod(source.shape[1:])))
        block = np.asarray(source[index * per_value : (index + count) * per_value])
        if block.shape[0] != count * per_value:
            uri = self._resources[resource].uri
            raise ReaderError(
                f"{self.key!r}: {uri} holds {source.shape[0]} frames, but the stream needs "
                f"frames {index * per_value} to {(index + count) * per_value - 1}"
            )
        return block.reshape(count, *self._value_shape)

    def _source(self, uid: str) -> FrameSource:
        """The opened frame source of a resource (opened once per read)."""
        source = self._sources.get(uid)
        if source is None:
            resource = self._resources[uid]
            reader = get_reader(resource.mimetype)
            source = self._sources[uid] = reader(resource.uri, resource.parameters, self._data_key)
        return source


def _normalize(index: int, length: int) -> int:
    """A non-negative row index, or IndexError."""
    if not -length <= index < length:
        raise IndexError(f"row {index} out of range for a stream of {length} rows")
    return index % length

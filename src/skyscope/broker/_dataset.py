"""Present a stream table as an xarray Dataset (frames stay lazy), or as a dict of arrays.

xarray is optional: without it, ``read()`` returns a dict of numpy arrays, with the frames of
external data keys as :class:`StreamFrames` (``np.asarray`` reads them).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from skyscope.documents import DataKey

from ._frames import StreamFrames
from ._table import StreamTable

if TYPE_CHECKING:
    import xarray

ArrayLike = np.ndarray[Any, Any] | StreamFrames


def have_xarray() -> bool:
    """Is xarray importable here?"""
    try:
        return importlib.util.find_spec("xarray") is not None
    except ValueError:  # xarray in sys.modules as None (made unimportable)
        return False


def to_dict(table: StreamTable) -> dict[str, ArrayLike]:
    """``time``, ``seq_num`` and one entry per data key."""
    return {"time": table.time, "seq_num": table.seq_num, **table.scalars, **table.frames}


def to_xarray(
    table: StreamTable, data_keys: Mapping[str, DataKey], attrs: Mapping[str, Any]
) -> xarray.Dataset:
    """A Dataset on dimension ``time`` with coordinates ``time`` and ``seq_num``."""
    import xarray as xr

    variables: dict[str, xr.Variable] = {}
    for key, values in table.scalars.items():
        variables[key] = xr.Variable(
            _dims(key, values.ndim, data_keys[key]), values, _attrs(data_keys[key])
        )
    for key, frames in table.frames.items():
        lazy = _lazy(frames)
        variables[key] = xr.Variable(
            _dims(key, frames.ndim, data_keys[key]), lazy, _attrs(data_keys[key])
        )
    coords = {"time": ("time", table.time), "seq_num": ("time", table.seq_num)}
    return xr.Dataset(variables, coords=coords, attrs=dict(attrs))


def _dims(key: str, ndim: int, data_key: DataKey) -> tuple[str, ...]:
    """``time`` then the data key's own ``dims`` if it names them, else ``<key>_dim_<i>``."""
    named = list(data_key.get("dims") or [])
    extra = ndim - 1
    if len(named) != extra:
        named = [f"{key}_dim_{i}" for i in range(extra)]
    return ("time", *named)


def _attrs(data_key: DataKey) -> dict[str, Any]:
    """The data key's descriptive fields that are set."""
    picked = {name: data_key.get(name) for name in ("source", "units", "dtype", "external")}
    return {name: value for name, value in picked.items() if value is not None}


def _lazy(frames: StreamFrames) -> Any:
    """Wrap frames so xarray indexes them lazily, reading only what is selected."""
    from xarray.backends import BackendArray
    from xarray.core import indexing

    class _FramesArray(BackendArray):
        """xarray's view of :class:`StreamFrames`."""

        def __init__(self) -> None:
            self.shape = frames.shape
            self.dtype = frames.dtype

        def __getitem__(self, key: indexing.ExplicitIndexer) -> Any:
            return indexing.explicit_indexing_adapter(
                key, self.shape, indexing.IndexingSupport.BASIC, frames.__getitem__
            )

    return indexing.LazilyIndexedArray(_FramesArray())

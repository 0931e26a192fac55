"""Frames in the detectors' HDF5 files, linked into a run's HDF5 file as virtual datasets.

Stream resources say where a data key's frames are (file and dataset); stream datums say which
index ranges belong to the run, and to which stream. ``FrameLinks`` gathers both and, at the
end of the run, makes one virtual dataset per stream and data key: frame ``i`` is the ``i``-th
frame the datums referenced, in the order they arrived, read through from the source file. The
source files are named relative to the run's file, so a folder moved as a whole still opens.
Frames in other formats (Zarr, TIFF) cannot be linked; where they are is recorded instead.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import h5py
import numpy as np

from skyscope.documents import DataKey, StreamDatum, StreamResource
from skyscope.writers import HDF5_MIMETYPE

from ._columns import fixed_shape


@dataclass
class _Piece:
    """Frames ``[start, stop)`` of one stream resource, in the order referenced."""

    resource: StreamResource
    start: int
    stop: int


class FrameLinks:
    """Collects a run's stream resources and datums, then links the frames into a file."""

    def __init__(self) -> None:
        self._resources: dict[str, StreamResource] = {}
        self._pieces: dict[tuple[str, str], list[_Piece]] = {}

    def resource(self, doc: StreamResource) -> None:
        """Remember where a data key's frames are."""
        self._resources[doc["uid"]] = doc

    def datum(self, doc: StreamDatum, table: str) -> None:
        """Add the datum's frame range to ``table``'s frames of its data key."""
        resource = self._resources.get(doc["stream_resource"])
        if resource is None:
            raise ValueError(
                f"stream_datum {doc['uid']} names stream_resource {doc['stream_resource']!r}, "
                "which did not come before it"
            )
        start, stop = doc["indices"]["start"], doc["indices"]["stop"]
        pieces = self._pieces.setdefault((table, resource["data_key"]), [])
        last = pieces[-1] if pieces else None
        if last is not None and last.resource is resource and last.stop == start:
            last.stop = stop  # contiguous: one mapping
        else:
            pieces.append(_Piece(resource, start, stop))

    def write(
        self, file: h5py.File, data_keys: Mapping[str, Mapping[str, DataKey]]
    ) -> dict[str, dict[str, list[dict[str, Any]]]]:
        """Make the virtual datasets in ``file`` (``/<table>/data/<key>``).

        ``data_keys`` gives each table's data keys (for frame shape and dtype). Returns the
        pieces that could not be linked (not HDF5), per table and data key.
        """
        unlinked: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for (table, key), pieces in self._pieces.items():
            linkable = [p for p in pieces if p.resource["mimetype"] == HDF5_MIMETYPE]
            others = [_record(p) for p in pieces if p.resource["mimetype"] != HDF5_MIMETYPE]
            if others:
                unlinked.setdefault(table, {})[key] = others
            if linkable:
                _link(file, f"{table}/data/{key}", linkable, data_keys[table][key])
        return unlinked


def _link(file: h5py.File, name: str, pieces: list[_Piece], data_key: DataKey) -> None:
    """Create the virtual dataset ``name`` reading each piece's frames from its source file."""
    frame_shape = fixed_shape(data_key)
    dtype = np.dtype(data_key.get("dtype_numpy") or "<f8")
    total = sum(piece.stop - piece.start for piece in pieces)
    layout = h5py.VirtualLayout((total, *frame_shape), dtype)
    here = Path(file.filename).resolve().parent
    position = 0
    for piece in pieces:
        source_length = max(p.stop for p in pieces if p.resource is piece.resource)
        source = h5py.VirtualSource(
            _relative(source_path(piece.resource), here),
            piece.resource["parameters"]["dataset"],
            shape=(source_length, *frame_shape),
            dtype=dtype,
        )
        count = piece.stop - piece.start
        layout[position : position + count] = source[piece.start : piece.stop]
        position += count
    dataset = file.create_virtual_dataset(name, layout, fillvalue=0)
    dataset.attrs["sources"] = json.dumps([_record(piece) for piece in pieces])


def source_path(resource: StreamResource) -> Path:
    """Return the local file a ``file://`` stream resource names."""
    uri = urlparse(resource["uri"])
    if uri.scheme not in ("file", "") or uri.netloc not in ("", "localhost"):
        raise ValueError(
            f"stream resource {resource['uid']} is not a local file: {resource['uri']}"
        )
    return Path(uri.path)


def _relative(path: Path, directory: Path) -> str:
    """Return ``path`` relative to ``directory`` (absolute when no relative path exists)."""
    try:
        return os.path.relpath(path, directory)
    except ValueError:  # another drive
        return str(path)


def _record(piece: _Piece) -> dict[str, Any]:
    """Describe a piece: which resource's frames, from which file."""
    resource = piece.resource
    return {
        "stream_resource": resource["uid"],
        "uri": resource["uri"],
        "mimetype": resource["mimetype"],
        "parameters": resource["parameters"],
        "indices": {"start": piece.start, "stop": piece.stop},
    }

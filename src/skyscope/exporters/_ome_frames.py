"""Frames read back from the detectors' files, by stream resource and frame index.

The OME exporters copy each frame a run referenced from wherever its writer put it: an HDF5
dataset (frames along axis 0), a Zarr array (leading axes flattened in C order) or the pages of
a TIFF file, as the stream resource conventions say. Files stay open until ``close()``, so
reading every frame of a run opens each file once; an HDF5 file still held by its SWMR writer is
opened as a SWMR reader.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import ExitStack
from math import prod
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import tifffile
import zarr

from skyscope.documents import StreamResource
from skyscope.writers import HDF5_MIMETYPE, Frame

from ._frame_links import source_path

ZARR_MIMETYPE = "application/x-zarr"
TIFF_MIMETYPE = "multipart/related;type=image/tiff"

FrameGetter = Callable[[int], Frame]
"""Returns frame ``i`` of one stream resource."""

_HDF5_OPENINGS: tuple[dict[str, bool], ...] = ({}, {"swmr": True}, {"locking": False})
"""How to open an HDF5 file: plainly, as a SWMR reader, then without file locks."""


class ResourceFrames:
    """Opens the files that stream resources name, and reads single frames from them."""

    def __init__(self, frame_shape: tuple[int, ...]) -> None:
        self._frame_shape = frame_shape
        self._files = ExitStack()
        self._getters: dict[str, FrameGetter] = {}

    def frame(self, resource: StreamResource, index: int) -> Frame:
        """Return frame ``index`` of ``resource`` (opening its file the first time)."""
        getter = self._getters.get(resource["uid"])
        if getter is None:
            getter = self._getters[resource["uid"]] = self._open(resource)
        return getter(index)

    def close(self) -> None:
        """Close every file opened."""
        self._getters.clear()
        self._files.close()

    def _open(self, resource: StreamResource) -> FrameGetter:
        path = source_path(resource)
        if not path.exists():
            raise FileNotFoundError(
                f"the frames of stream resource {resource['uid']} are gone: {path} does not exist"
            )
        opener = _OPENERS.get(resource["mimetype"])
        if opener is None:
            raise ValueError(
                f"stream resource {resource['uid']} holds {resource['mimetype']!r} frames; the "
                f"OME exporters read {sorted(_OPENERS)}"
            )
        return opener(self, path, resource.get("parameters", {}))

    def _open_hdf5(self, path: Path, parameters: Mapping[str, Any]) -> FrameGetter:
        file = self._files.enter_context(_hdf5_file(path))
        dataset = file[parameters["dataset"]]
        return lambda index: np.asarray(dataset[index])

    def _open_zarr(self, path: Path, parameters: Mapping[str, Any]) -> FrameGetter:
        array = zarr.open_array(store=str(path), path=parameters.get("path", ""), mode="r")
        leading = tuple(array.shape[: array.ndim - len(self._frame_shape)])

        def frame(index: int) -> Frame:
            if not 0 <= index < prod(leading):
                raise IndexError(f"{path} holds {prod(leading)} frames, not frame {index}")
            at = tuple(int(i) for i in np.unravel_index(index, leading)) if leading else ()
            return np.asarray(array[at])

        return frame

    def _open_tiff(self, path: Path, parameters: Mapping[str, Any]) -> FrameGetter:
        tiff = self._files.enter_context(tifffile.TiffFile(path, is_ome=False))
        pages = tiff.pages

        def frame(index: int) -> Frame:
            if not 0 <= index < len(pages):
                raise IndexError(f"{path} holds {len(pages)} pages, not frame {index}")
            return np.asarray(pages[index].asarray())

        return frame


_OPENERS: dict[str, Callable[[ResourceFrames, Path, Mapping[str, Any]], FrameGetter]] = {
    HDF5_MIMETYPE: ResourceFrames._open_hdf5,
    ZARR_MIMETYPE: ResourceFrames._open_zarr,
    TIFF_MIMETYPE: ResourceFrames._open_tiff,
}


def _hdf5_file(path: Path) -> h5py.File:
    """Open an HDF5 file for reading, whichever way its writer (if still open) allows."""
    failure: OSError | None = None
    for options in _HDF5_OPENINGS:
        try:
            return h5py.File(path, "r", **options)
        except OSError as error:
            failure = error
    raise OSError(f"cannot open the HDF5 file {path}: {failure}")

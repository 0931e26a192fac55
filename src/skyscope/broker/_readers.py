"""Readers of external frames, keyed by a stream resource's mimetype.

A reader is ``reader(uri, parameters, data_key) -> FrameSource``: it opens what a stream
resource names and returns an array-like whose axis 0 counts frames. Nothing is read until the
frame source is indexed. HDF5, Zarr and TIFF are built in; ``register_reader`` adds others.
"""

from __future__ import annotations

import math
import sys
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from skyscope.documents import DataKey

from ._errors import ReaderError

HDF5 = "application/x-hdf5"
ZARR = "application/x-zarr"
TIFF = "multipart/related;type=image/tiff"


class FrameSource(Protocol):
    """Frames along axis 0: an h5py dataset, a numpy array, or any object shaped like one."""

    @property
    def shape(self) -> tuple[int, ...]:
        """(number of frames, *frame shape)."""

    @property
    def dtype(self) -> np.dtype[Any]:
        """The frames' element type."""

    def __getitem__(self, index: Any) -> Any:
        """Frames by integer or slice along axis 0."""


Reader = Callable[[str, Mapping[str, Any], DataKey], FrameSource]

_READERS: dict[str, Reader] = {}


def register_reader(mimetype: str, reader: Reader) -> None:
    """Use ``reader`` for stream resources of ``mimetype`` (replacing any earlier one)."""
    if not isinstance(mimetype, str) or not mimetype:
        raise ValueError(f"a reader needs a mimetype string, not {mimetype!r}")
    if not callable(reader):
        raise TypeError(f"a reader must be callable(uri, parameters, data_key), not {reader!r}")
    _READERS[mimetype] = reader


def get_reader(mimetype: str) -> Reader:
    """The reader for ``mimetype``, or an error naming the mimetypes that can be read."""
    try:
        return _READERS[mimetype]
    except KeyError:
        known = ", ".join(sorted(_READERS))
        raise ReaderError(
            f"no reader for mimetype {mimetype!r}; registered: {known}. "
            "Add one with skyscope.broker.register_reader(mimetype, reader)"
        ) from None


def path_from_uri(uri: str) -> Path:
    """The local path that a ``file://`` URI (or a plain path) names."""
    parsed = urllib.parse.urlparse(uri)
    if parsed.scheme in ("", "file") or (sys.platform == "win32" and len(parsed.scheme) == 1):
        if parsed.scheme != "file":
            return Path(uri)
        if parsed.netloc not in ("", "localhost"):
            raise ReaderError(f"{uri!r} names a file on another host ({parsed.netloc})")
        return Path(urllib.request.url2pathname(parsed.path))
    raise ReaderError(f"cannot read {uri!r}: only local file:// URIs and paths are supported")


def _existing(uri: str) -> Path:
    """The path of ``uri``, which must exist."""
    path = path_from_uri(uri)
    if not path.exists():
        raise ReaderError(f"the file {path} (from {uri!r}) does not exist")
    return path


def frame_shape_of(data_key: DataKey) -> tuple[int, ...] | None:
    """The data key's declared per-event shape, or None if it is not fully known."""
    shape = list(data_key.get("shape") or [])
    known = tuple(n for n in shape if isinstance(n, int))
    return known if shape and len(known) == len(shape) else None


def _squeezed(shape: tuple[int, ...]) -> tuple[int, ...]:
    """``shape`` without its leading 1s (``(1, 512, 512)`` -> ``(512, 512)``)."""
    start = 0
    while start < len(shape) - 1 and shape[start] == 1:
        start += 1
    return shape[start:]


# How to open an HDF5 file: plainly (a finished file), as a SWMR reader (a SWMR writer still
# has it open), then without file locks (a non-SWMR writer in another process has it open).
_HDF5_OPEN_OPTIONS: tuple[dict[str, bool], ...] = ({}, {"swmr": True}, {"locking": False})


def _open_hdf5(path: Path) -> Any:
    """Open an HDF5 file for reading, whichever way its writer allows."""
    import h5py

    failure: OSError | None = None
    for options in _HDF5_OPEN_OPTIONS:
        try:
            return h5py.File(path, "r", **options)
        except OSError as error:
            failure = error
    raise ReaderError(f"cannot open the HDF5 file {path}: {failure}")


class _HDF5Frames:
    """One HDF5 dataset, holding its file open while it is in use.

    A dataset with more leading axes than one (an image's t, c, z) is seen as frames with
    those axes flattened in C order, as a Zarr array is.
    """

    def __init__(
        self, uri: str, parameters: Mapping[str, Any], frame_shape: tuple[int, ...] | None = None
    ) -> None:
        path = _existing(uri)
        name = parameters.get("dataset")
        if not isinstance(name, str):
            raise ReaderError(f"HDF5 stream resource {uri!r} has no 'dataset' parameter")
        self._file = _open_hdf5(path)
        if name not in self._file:
            raise ReaderError(f"the HDF5 file {path} has no dataset {name!r}")
        self._dataset = self._file[name]
        self.shape: tuple[int, ...] = tuple(self._dataset.shape)
        self.dtype: np.dtype[Any] = self._dataset.dtype
        trailing = len(_squeezed(frame_shape)) if frame_shape else self._dataset.ndim - 1
        self._lead: tuple[int, ...] = self.shape[: self._dataset.ndim - trailing]
        if len(self._lead) > 1:
            self.shape = (math.prod(self._lead), *self.shape[len(self._lead) :])

    def __getitem__(self, index: Any) -> Any:
        """Frames by index along axis 0 (of the flattened leading axes)."""
        if len(self._lead) <= 1:
            return self._dataset[index]
        if isinstance(index, slice):
            frames = [self._frame(i) for i in range(*index.indices(self.shape[0]))]
            return np.stack(frames) if frames else np.empty((0, *self.shape[1:]), self.dtype)
        return self._frame(int(index))

    def _frame(self, i: int) -> Any:
        if not -self.shape[0] <= i < self.shape[0]:
            raise IndexError(f"frame {i} out of range for {self.shape[0]} frames")
        lead = np.unravel_index(i % self.shape[0], self._lead)
        return self._dataset[(*(int(n) for n in lead), Ellipsis)]


def read_hdf5(uri: str, parameters: Mapping[str, Any], data_key: DataKey) -> FrameSource:
    """Frames of an HDF5 dataset (``parameters["dataset"]``), along axis 0."""
    return _HDF5Frames(uri, parameters, frame_shape_of(data_key))


class _ZarrFrames:
    """A Zarr array seen as frames: leading axes flattened in C order."""

    def __init__(self, array: Any, frame_shape: tuple[int, ...]) -> None:
        self._array = array
        trailing = len(_squeezed(frame_shape))
        self._lead: tuple[int, ...] = tuple(array.shape[: array.ndim - trailing])
        self.shape = (math.prod(self._lead), *frame_shape)
        self.dtype: np.dtype[Any] = np.dtype(array.dtype)

    def __getitem__(self, index: Any) -> Any:
        """Frame ``index`` (an int) or a stack of frames (a slice)."""
        if isinstance(index, slice):
            frames = [self._frame(i) for i in range(*index.indices(self.shape[0]))]
            return np.stack(frames) if frames else np.empty((0, *self.shape[1:]), self.dtype)
        return self._frame(int(index))

    def _frame(self, i: int) -> Any:
        """Read one frame."""
        if not -self.shape[0] <= i < self.shape[0]:
            raise IndexError(f"frame {i} out of range for {self.shape[0]} frames")
        lead = np.unravel_index(i % self.shape[0], self._lead) if self._lead else ()
        return np.asarray(self._array[(*(int(n) for n in lead), Ellipsis)]).reshape(self.shape[1:])


def read_zarr(uri: str, parameters: Mapping[str, Any], data_key: DataKey) -> FrameSource:
    """Frames of a Zarr array (``parameters["path"]`` inside the store at ``uri``)."""
    import zarr

    path = _existing(uri)
    try:
        array = zarr.open_array(store=str(path), path=parameters.get("path", ""), mode="r")
    except (FileNotFoundError, KeyError, ValueError) as error:
        raise ReaderError(
            f"cannot open the Zarr array {parameters.get('path')!r} in {path}: {error}"
        ) from None
    frame_shape = frame_shape_of(data_key) or tuple(array.shape[-2:])
    return _ZarrFrames(array, frame_shape)


class _TiffFrames:
    """The pages of a TIFF file's first series, opened again for each read (files can grow)."""

    def __init__(self, path: Path) -> None:
        import tifffile

        self._path = path
        with tifffile.TiffFile(path) as tif:
            pages = tif.series[0].pages
            first = self._page(pages, 0)
            self.shape = (len(pages), *first.shape)
            self.dtype: np.dtype[Any] = np.dtype(first.dtype)

    def __getitem__(self, index: Any) -> Any:
        """Frame ``index`` (an int) or a stack of frames (a slice)."""
        import tifffile

        with tifffile.TiffFile(self._path) as tif:
            pages = tif.series[0].pages
            if not isinstance(index, slice):
                return self._page(pages, int(index)).asarray()
            frames = [self._page(pages, i).asarray() for i in range(*index.indices(len(pages)))]
            return np.stack(frames) if frames else np.empty((0, *self.shape[1:]), self.dtype)

    def _page(self, pages: Any, index: int) -> Any:
        """Page ``index`` of the series, or a clear error if the file does not have it."""
        page = pages[index] if -len(pages) <= index < len(pages) else None
        if page is None:
            raise ReaderError(f"the TIFF file {self._path} has no page {index} in series 0")
        return page


def read_tiff(uri: str, parameters: Mapping[str, Any], data_key: DataKey) -> FrameSource:
    """Frames of a (multi-page, OME-)TIFF file: the pages of series 0, in order."""
    return _TiffFrames(_existing(uri))


register_reader(HDF5, read_hdf5)
register_reader(ZARR, read_zarr)
register_reader(TIFF, read_tiff)

"""Frames into HDF5: one dataset per data key, growing along axis 0, readable live via SWMR."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from ._compression import Compression, checked_compression, hdf5_filter_options
from ._file_space import FileSpace
from ._frame_sink import FrameSink
from ._queued_writer import DEFAULT_FLUSH_EVERY, DEFAULT_QUEUE_BYTES, QueuedFrameWriter
from ._stream_assets import Frame

HDF5_SUFFIXES = (".h5", ".hdf5", ".hdf", ".nxs")
"""File names ending in one of these are files; any other path is a directory to write into."""

HDF5_MIMETYPE = "application/x-hdf5"
"""The stream resource mimetype of frames in an HDF5 dataset."""


class HDF5FrameWriter(QueuedFrameWriter):
    """Writes one data key's frames to an HDF5 dataset that other processes can read live.

    ``path_or_directory`` is the file (``.h5``, ``.hdf5``…) or a directory in which a new file
    ``<data_key>_<8 hex>.h5`` is made at each ``open``; an existing file is never overwritten.
    Chunks hold ``frames_per_chunk`` frames; without compression whole chunks go straight to
    the file (HDF5's direct chunk write). In SWMR mode (the default) readers in other processes
    open the file with ``swmr=True`` and see every acknowledged frame; the dataset's length may
    run ahead of them by frames already queued, so read up to the stream datums' indices.
    """

    format_name = "HDF5"

    def __init__(
        self,
        path_or_directory: str | os.PathLike[str],
        *,
        frames_per_chunk: int = 1,
        compression: Compression | None = None,
        compression_level: int | None = None,
        queue_depth: int = 16,
        queue_bytes: int = DEFAULT_QUEUE_BYTES,
        swmr: bool = True,
        flush_every: float = DEFAULT_FLUSH_EVERY,
        fsync_on_close: bool = True,
    ) -> None:
        super().__init__(queue_depth=queue_depth, flush_every=flush_every, queue_bytes=queue_bytes)
        if frames_per_chunk < 1:
            raise ValueError(f"frames_per_chunk must be at least 1, got {frames_per_chunk}")
        self._location = Path(path_or_directory)
        self._frames_per_chunk = frames_per_chunk
        self._compression = checked_compression(compression)
        self._filters = hdf5_filter_options(self._compression, compression_level)
        self._swmr = swmr
        self._fsync_on_close = fsync_on_close

    def _target(self, data_key: str) -> Path:
        if not data_key or "/" in data_key:
            raise ValueError(f"data key {data_key!r} cannot name an HDF5 dataset (empty or '/')")
        if self._location.suffix.lower() in HDF5_SUFFIXES:
            return self._location.absolute()
        return self._location.absolute() / f"{data_key}_{uuid.uuid4().hex[:8]}.h5"

    def _create_sink(
        self, path: Path, data_key: str, frame_shape: tuple[int, ...], dtype: np.dtype[Any]
    ) -> FrameSink:
        return HDF5FrameSink(
            path,
            f"/{data_key}",
            frame_shape,
            dtype,
            frames_per_chunk=self._frames_per_chunk,
            filters=self._filters,
            swmr=self._swmr,
            fsync_on_close=self._fsync_on_close,
        )


class HDF5FrameSink(FrameSink):
    """An HDF5 file with one chunked dataset ``(n, *frame_shape)`` growing along axis 0."""

    kind = "HDF5 file"
    mimetype = HDF5_MIMETYPE

    def __init__(
        self,
        path: Path,
        dataset: str,
        frame_shape: tuple[int, ...],
        dtype: np.dtype[Any],
        *,
        frames_per_chunk: int,
        filters: dict[str, Any],
        swmr: bool,
        fsync_on_close: bool,
    ) -> None:
        self.path = path
        self._dataset_name = dataset
        self._chunk_shape = (frames_per_chunk, *frame_shape)
        self._fsync_on_close = fsync_on_close
        self._direct = not filters
        self._chunk = np.empty(self._chunk_shape, dtype) if frames_per_chunk > 1 else None
        self._buffered = 0
        self._extent = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        chunk_bytes = int(np.prod(self._chunk_shape)) * dtype.itemsize
        self._file: h5py.File | None = h5py.File(
            path, "w-", libver="latest", rdcc_nbytes=max(2 * chunk_bytes, 1 << 20)
        )
        self._data = self._file.create_dataset(
            dataset,
            shape=(0, *frame_shape),
            maxshape=(None, *frame_shape),
            chunks=self._chunk_shape,
            dtype=dtype,
            **filters,
        )
        if swmr:
            self._file.swmr_mode = True
        self._space = FileSpace(path, chunk_bytes)

    @property
    def parameters(self) -> dict[str, Any]:
        """Return the dataset path and chunk shape, as the stream resource convention says."""
        return {"dataset": self._dataset_name, "chunk_shape": list(self._chunk_shape)}

    def reserve(self, count: int) -> None:
        """Grow the dataset to ``count`` frames if shorter (one resize for a queued batch)."""
        if count > self._extent:
            self._resize(count)

    def write(self, index: int, frame: Frame) -> None:
        """Write one frame: straight into its own chunk, or gathered until a chunk is full."""
        if self._chunk is None:
            self._write_block(index, frame[np.newaxis])
            return
        self._chunk[index % self._chunk_shape[0]] = frame
        self._buffered = index % self._chunk_shape[0] + 1
        if self._buffered == self._chunk_shape[0]:
            self._write_block(index + 1 - self._buffered, self._chunk)
            self._buffered = 0

    def sync(self, count: int) -> None:
        """Write a partly filled chunk, then flush the dataset and file for SWMR readers."""
        if self._buffered:
            start = count - self._buffered
            self._data[start:count] = self._chunk[: self._buffered]  # type: ignore[index]
        self._data.flush()
        assert self._file is not None
        self._file.flush()

    def close(self, count: int) -> None:
        """Trim the dataset to ``count`` frames, close the file and (optionally) fsync it."""
        if self._file is None:
            return
        try:
            if self._extent != count:
                self._resize(count)
            self.sync(count)
            self._space.release(self._file.id.get_filesize())
        finally:
            self._file.close()
            self._file = None
            self._space.close(fsync=self._fsync_on_close)

    def _resize(self, count: int) -> None:
        """Set the dataset's length to ``count`` frames (low level: a fifth of h5py's cost)."""
        self._data.id.set_extent((count, *self._chunk_shape[1:]))
        self._extent = count

    def _write_block(self, start: int, block: Frame) -> None:
        """Write ``block`` (whole chunk rows) at frame ``start``, once the disk has room for it."""
        assert self._file is not None
        self._space.reserve(self._file.id.get_filesize(), block.nbytes)
        if self._direct:
            offset = (start,) + (0,) * (block.ndim - 1)
            self._data.id.write_direct_chunk(offset, np.ascontiguousarray(block))
        else:
            self._data[start : start + len(block)] = block

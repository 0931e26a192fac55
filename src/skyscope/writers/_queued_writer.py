"""The shared half of skyscope's frame writers: checks, the worker queue, stream documents."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from skyscope.documents import DataKey, StreamAsset

from ._frame_queue import FrameQueue
from ._frame_sink import FrameSink
from ._stream_assets import Frame, StreamAssets, frame_data_key

DEFAULT_FLUSH_EVERY = 0.1
"""Seconds between two syncs at most: how long a written frame may wait to be acknowledged."""
DEFAULT_QUEUE_BYTES = 64 << 20
"""Frames in flight per writer hold at most this much memory (unless two frames need more)."""


class QueuedFrameWriter(ABC):
    """A ``FrameWriter`` whose file is written by a worker thread fed through a bounded queue.

    ``queue_depth`` bounds the frames in flight (the memory held), and so does ``queue_bytes``
    for big frames (down to two frames, never above ``queue_depth``): a deeper queue does not
    make a disk faster. When the disk is slower than the camera, ``write`` waits. Frames become
    visible to readers (acknowledged) at least every ``flush_every`` seconds, and as soon as
    they are written when someone waits for them (``flush``, ``acknowledged_at_least``).
    """

    format_name: ClassVar[str]
    """The file format's name in messages, e.g. "HDF5"."""

    def __init__(
        self,
        *,
        queue_depth: int = 16,
        flush_every: float = DEFAULT_FLUSH_EVERY,
        queue_bytes: int = DEFAULT_QUEUE_BYTES,
    ) -> None:
        if queue_depth < 1:
            raise ValueError(f"queue_depth must be at least 1, got {queue_depth}")
        if queue_bytes < 1:
            raise ValueError(f"queue_bytes must be a positive number of bytes, got {queue_bytes}")
        if not flush_every > 0:
            raise ValueError(f"flush_every must be a positive number of seconds, got {flush_every}")
        self._queue_depth = queue_depth
        self._queue_bytes = queue_bytes
        self._flush_every = flush_every
        self._queue: FrameQueue | None = None
        self._assets: StreamAssets | None = None
        self._path: Path | None = None
        self._frame_shape: tuple[int, ...] = ()
        self._dtype: np.dtype[Any] = np.dtype(np.uint8)

    @property
    def path(self) -> Path | None:
        """Return the file (or store) of the current or last ``open``."""
        return self._path

    @property
    def queue_depth(self) -> int:
        """Return how many frames may be in flight at once (fewer if ``queue_bytes`` says so)."""
        return self._queue_depth

    @property
    def frames_in_flight(self) -> int:
        """Return how many frames are queued or being written (never more than queue_depth)."""
        return self._queue.in_flight if self._queue is not None else 0

    async def open(
        self,
        data_key: str,
        frame_shape: tuple[int, ...],
        dtype: npt.DTypeLike,
        *,
        source: str = "",
    ) -> dict[str, DataKey]:
        """Create the file and start the worker thread; return the ``describe()`` data keys."""
        if self._queue is not None and self._queue.is_open:
            raise RuntimeError(f"{self.format_name} writer is already open on {self._path}")
        shape = _checked_shape(frame_shape)
        np_dtype = np.dtype(dtype)
        self._check_frames(shape, np_dtype)
        path = self._target(data_key)
        frame_queue = FrameQueue(
            lambda: self._create_sink(path, data_key, shape, np_dtype),
            what=f"{self.format_name} file '{path}'",
            depth=self._depth_for(shape, np_dtype),
            flush_every=self._flush_every,
        )
        sink = await frame_queue.start()
        self._queue, self._path, self._frame_shape, self._dtype = frame_queue, path, shape, np_dtype
        self._assets = StreamAssets(data_key, sink.mimetype, sink.uri, sink.parameters)
        return {data_key: frame_data_key(shape, np_dtype, source or sink.uri)}

    async def write(self, frame: Frame) -> int:
        """Queue one frame without copying it (do not change it afterwards); return its index."""
        frame_queue = self._open_queue()
        if not isinstance(frame, np.ndarray):
            raise TypeError(f"a frame must be a numpy array, got {type(frame).__name__}")
        if frame.shape != self._frame_shape or frame.dtype != self._dtype:
            raise ValueError(
                f"frame of shape {frame.shape} and dtype {frame.dtype} does not fit "
                f"{self._path}: expected shape {self._frame_shape} and dtype {self._dtype}"
            )
        return await frame_queue.put(frame)

    def get_indices_written(self) -> int:
        """Return how many frames are written and visible to readers (acknowledged)."""
        return self._queue.acknowledged if self._queue is not None else 0

    async def flush(self) -> int:
        """Wait until every queued frame is written and visible; return the acknowledged count."""
        return await self._open_queue().flush()

    async def acknowledged_at_least(self, count: int) -> int:
        """Wait until the first ``count`` frames are acknowledged (not later ones); return that."""
        return await self._open_queue().acknowledged_at_least(count)

    def collect_stream_docs(self, indices_written: int) -> Iterator[StreamAsset]:
        """Yield the stream resource (first time) and a stream datum up to ``indices_written``."""
        if self._assets is None or self._queue is None:
            raise RuntimeError(
                f"{self.format_name} writer was never opened: no frames to reference"
            )
        return self._assets.collect(indices_written, self._queue.acknowledged)

    async def close(self) -> None:
        """Write what is queued, close the file (it stays readable) and stop the thread."""
        if self._queue is not None:
            await self._queue.close()

    def _depth_for(self, frame_shape: tuple[int, ...], dtype: np.dtype[Any]) -> int:
        """Return the frames in flight: ``queue_depth``, cut to fit ``queue_bytes`` (min. 2)."""
        frame_bytes = max(1, math.prod(frame_shape) * dtype.itemsize)
        return min(self._queue_depth, max(2, self._queue_bytes // frame_bytes))

    def _open_queue(self) -> FrameQueue:
        if self._queue is None or not self._queue.is_open:
            raise RuntimeError(f"{self.format_name} writer is not open: call open() first")
        return self._queue

    def _check_frames(self, frame_shape: tuple[int, ...], dtype: np.dtype[Any]) -> None:
        """Raise a ValueError if the format cannot hold such frames (before any file exists)."""
        del frame_shape, dtype  # every shape and dtype suits the base class

    @abstractmethod
    def _target(self, data_key: str) -> Path:
        """Return the file (or store) that ``open`` will create for ``data_key``."""

    @abstractmethod
    def _create_sink(
        self, path: Path, data_key: str, frame_shape: tuple[int, ...], dtype: np.dtype[Any]
    ) -> FrameSink:
        """Create the file and return its sink (runs on the worker thread)."""


def _checked_shape(frame_shape: tuple[int, ...]) -> tuple[int, ...]:
    """Return the frame shape as ints, refusing empty shapes and non-positive sizes."""
    shape = tuple(int(n) for n in frame_shape)
    if not shape or any(n < 1 for n in shape):
        raise ValueError(f"frame_shape must be one or more positive sizes, got {frame_shape!r}")
    return shape

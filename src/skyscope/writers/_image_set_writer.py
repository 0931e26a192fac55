"""Writes the frames of several images (an MDA's positions) into one store, off the loop.

Frames go through the same bounded queue and worker thread as the flat writers; each comes
with its address. Stream documents reference them per image: one stream resource per image,
one stream datum per frame naming its index in the image's leading axes (C order).
"""

from __future__ import annotations

import math
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from skyscope.documents import DataKey, StreamAsset, StreamDatum, StreamResource

from ._frame_queue import FrameQueue
from ._frame_sink import FrameSink
from ._image_set import FrameAddress, ImageSpec, check_address, check_images, flat_index
from ._image_set_sink import ImageSetSink
from ._queued_writer import DEFAULT_FLUSH_EVERY, DEFAULT_QUEUE_BYTES
from ._stream_assets import Frame, frame_data_key


class _AddressedSink(FrameSink):
    """Adapts an image set sink to the frame queue: frame ``i`` goes to ``addresses[i]``."""

    def __init__(self, inner: ImageSetSink, addresses: list[FrameAddress]) -> None:
        self.inner = inner
        self.addresses = addresses
        self.mimetype = inner.mimetype
        self.kind = inner.kind
        self.path = inner.path

    @property
    def parameters(self) -> dict[str, Any]:
        return self.inner.parameters(0)

    def write(self, index: int, frame: Frame) -> None:
        self.inner.put(self.addresses[index], frame)

    def sync(self, count: int) -> None:
        self.inner.sync()

    def close(self, count: int) -> None:
        self.inner.close()

    def describe(self) -> str:
        return self.inner.describe()


class ImageSetWriter(ABC):
    """Writes frames of several images into one store (or one file per image) as they come.

    ``write(frame, image, coords)`` queues a frame for its place; frames are acknowledged
    (visible to readers) when the worker catches up with the queue or every ``flush_every``
    seconds. Display windows and the frames never taken are written at ``close``.
    """

    format_name: ClassVar[str]
    """The format's name in messages."""

    def __init__(
        self,
        path: str | Path,
        *,
        queue_depth: int = 16,
        queue_bytes: int = DEFAULT_QUEUE_BYTES,
        flush_every: float = DEFAULT_FLUSH_EVERY,
    ) -> None:
        if queue_depth < 1:
            raise ValueError(f"queue_depth must be at least 1, got {queue_depth}")
        if not flush_every > 0:
            raise ValueError(f"flush_every must be a positive number of seconds, got {flush_every}")
        self.path = Path(path).absolute()
        self._depth = queue_depth
        self._queue_bytes = queue_bytes
        self._flush_every = flush_every
        self._queue: FrameQueue | None = None
        self._sink: ImageSetSink | None = None
        self._images: tuple[ImageSpec, ...] = ()
        self._addresses: list[FrameAddress] = []
        self._resources: dict[int, StreamResource] = {}
        self._emitted = 0
        self._data_key = ""
        self._frame_shape: tuple[int, ...] = ()
        self._dtype: np.dtype[Any] = np.dtype(np.uint8)

    async def open(
        self,
        data_key: str,
        images: Sequence[ImageSpec],
        frame_shape: tuple[int, int],
        dtype: npt.DTypeLike,
        *,
        source: str = "",
    ) -> dict[str, DataKey]:
        """Create the store for ``images`` of 2-D frames; return the ``describe()`` data keys."""
        if self._queue is not None and self._queue.is_open:
            raise RuntimeError(f"{self.format_name} writer is already open on {self.path}")
        shape = tuple(int(n) for n in frame_shape)
        if len(shape) != 2 or min(shape) < 1:
            raise ValueError(f"frames must be 2-D (y, x) with positive sizes, got {frame_shape}")
        self._images = tuple(images)
        check_images(self._images)
        np_dtype = np.dtype(dtype)
        self._check_dtype(np_dtype)
        frame_bytes = max(1, math.prod(shape) * np_dtype.itemsize)
        frame_queue = FrameQueue(
            lambda: _AddressedSink(
                self._create_sink(self.path, self._images, shape, np_dtype), self._addresses
            ),
            what=f"{self.format_name} '{self.path}'",
            depth=min(self._depth, max(2, self._queue_bytes // frame_bytes)),
            flush_every=self._flush_every,
        )
        sink = await frame_queue.start()
        assert isinstance(sink, _AddressedSink)
        self._queue, self._sink = frame_queue, sink.inner
        self._data_key, self._frame_shape, self._dtype = data_key, shape, np_dtype
        return {data_key: frame_data_key(shape, np_dtype, source or sink.uri)}

    async def write(self, frame: Frame, image: int, coords: tuple[int, ...]) -> int:
        """Queue ``frame`` for image ``image`` at ``coords`` (no copy: do not change it)."""
        frame_queue = self._open_queue()
        if frame.shape != self._frame_shape or frame.dtype != self._dtype:
            raise ValueError(
                f"frame of shape {frame.shape} and dtype {frame.dtype} does not fit {self.path}: "
                f"expected {self._frame_shape} {self._dtype}"
            )
        address = FrameAddress(image, tuple(int(n) for n in coords))
        check_address(self._images, address)
        self._addresses.append(address)
        try:
            return await frame_queue.put(frame)
        except BaseException:
            self._addresses.pop()
            raise

    def get_indices_written(self) -> int:
        """Return how many frames are acknowledged (written and visible to readers)."""
        return self._queue.acknowledged if self._queue is not None else 0

    async def flush(self) -> int:
        """Wait until every queued frame is acknowledged; return the count."""
        return await self._open_queue().flush()

    async def acknowledged_at_least(self, count: int) -> int:
        """Wait until the first ``count`` frames are acknowledged; return how many are."""
        if self._queue is None:
            raise RuntimeError(f"{self.format_name} writer was never opened")
        return await self._queue.acknowledged_at_least(count)

    def collect_stream_docs(self, indices_written: int) -> Iterator[StreamAsset]:
        """Yield per frame its image's resource (first time) and a datum at its index there."""
        if indices_written > self.get_indices_written():
            raise ValueError(
                f"cannot reference {indices_written} frames: {self.get_indices_written()} "
                "are acknowledged"
            )
        while self._emitted < indices_written:
            address = self._addresses[self._emitted]
            resource = self._resources.get(address.image)
            if resource is None:
                resource = self._resource(address.image)
                self._resources[address.image] = resource
                yield "stream_resource", resource
            index = flat_index(self._images[address.image].axes, address.coords)
            datum: StreamDatum = {
                "uid": f"{resource['uid']}/{self._emitted}",
                "stream_resource": resource["uid"],
                "descriptor": "",
                "indices": {"start": index, "stop": index + 1},
                "seq_nums": {"start": 0, "stop": 0},
            }
            yield "stream_datum", datum
            self._emitted += 1

    async def close(self) -> None:
        """Write what is queued, complete the metadata and close the store (stays readable)."""
        if self._queue is not None:
            await self._queue.close()

    def _resource(self, image: int) -> StreamResource:
        assert self._sink is not None
        return {
            "uid": str(uuid.uuid4()),
            "data_key": self._data_key,
            "mimetype": self._sink.mimetype,
            "uri": self._sink.uri(image),
            "parameters": self._sink.parameters(image),
        }

    def _open_queue(self) -> FrameQueue:
        if self._queue is None or not self._queue.is_open:
            raise RuntimeError(f"{self.format_name} writer is not open: call open() first")
        return self._queue

    def _check_dtype(self, dtype: np.dtype[Any]) -> None:
        """Raise a ValueError if the format cannot hold ``dtype`` pixels."""
        del dtype

    @abstractmethod
    def _create_sink(
        self,
        path: Path,
        images: tuple[ImageSpec, ...],
        frame_shape: tuple[int, ...],
        dtype: np.dtype[Any],
    ) -> ImageSetSink:
        """Create the store and return its sink (runs on the worker thread)."""

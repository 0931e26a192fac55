"""Helpers for the exporter tests: recognisable frames and a real sink slowed down or broken."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from skyscope.exporters import Frame, FrameSink, HDF5FrameWriter


def make_frame(index: int, shape: tuple[int, ...] = (32, 48), dtype: Any = np.uint16) -> Frame:
    """A frame whose every pixel depends on its index, so a swapped or lost frame shows."""
    pixels = np.arange(int(np.prod(shape)), dtype=np.uint64).reshape(shape)
    return ((pixels * 31 + index * 7919) % 65521).astype(dtype)


class WrappedSink(FrameSink):
    """A real sink whose writes can be slowed (``delay``) or made to raise at one frame."""

    def __init__(self, inner: FrameSink, *, delay: float = 0.0, fail_at: int | None = None):
        self.inner = inner
        self.mimetype = inner.mimetype
        self.delay = delay
        self.fail_at = fail_at

    @property
    def uri(self) -> str:
        return self.inner.uri

    @property
    def parameters(self) -> dict[str, Any]:
        return self.inner.parameters

    def reserve(self, count: int) -> None:
        self.inner.reserve(count)

    def write(self, index: int, frame: Frame) -> None:
        if index == self.fail_at:
            raise MemoryError("the writer thread ran out of memory")
        time.sleep(self.delay)
        self.inner.write(index, frame)

    def sync(self, count: int) -> None:
        self.inner.sync(count)

    def close(self, count: int) -> None:
        self.inner.close(count)

    def describe(self) -> str:
        return self.inner.describe()


class TroubledHDF5Writer(HDF5FrameWriter):
    """An HDF5 writer whose real sink is slowed by ``delay`` per frame or fails at ``fail_at``."""

    def __init__(
        self, path: Path, *, delay: float = 0.0, fail_at: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(path, **kwargs)
        self.delay = delay
        self.fail_at = fail_at

    def _create_sink(
        self, path: Path, data_key: str, frame_shape: tuple[int, ...], dtype: np.dtype[Any]
    ) -> FrameSink:
        inner = super()._create_sink(path, data_key, frame_shape, dtype)
        return WrappedSink(inner, delay=self.delay, fail_at=self.fail_at)

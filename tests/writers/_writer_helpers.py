"""Helpers for the exporter tests: recognisable frames and a real sink slowed down or broken."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from _wrapped_sink import WrappedSink
from skyscope.writers import Frame, FrameSink, HDF5FrameWriter


def make_frame(index: int, shape: tuple[int, ...] = (32, 48), dtype: Any = np.uint16) -> Frame:
    """A frame whose every pixel depends on its index, so a swapped or lost frame shows."""
    pixels = np.arange(int(np.prod(shape)), dtype=np.uint64).reshape(shape)
    return ((pixels * 31 + index * 7919) % 65521).astype(dtype)


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

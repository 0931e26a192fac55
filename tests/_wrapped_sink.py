"""A real frame sink slowed down or broken on purpose, for the writer and exporter tests."""

from __future__ import annotations

import time
from typing import Any

from skyscope.writers import Frame, FrameSink


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

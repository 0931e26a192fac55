"""The thread-side half of a frame writer: one file (or store) that frames go into."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

from ._stream_assets import Frame, file_uri


class FrameSink(ABC):
    """Where a writer's worker thread puts frames; every method runs on that one thread.

    A sink only makes frames visible to readers in ``sync``: frames written since the last
    ``sync`` count as acknowledged once it returns.
    """

    mimetype: str
    """The stream resource's mimetype for this file format."""
    kind: str
    """What the file is called in messages, e.g. "HDF5 file"."""
    path: Path
    """The file (or store root) written."""

    @property
    def uri(self) -> str:
        """Return the ``file://localhost/...`` URI the stream resource names."""
        return file_uri(self.path)

    @property
    @abstractmethod
    def parameters(self) -> dict[str, Any]:
        """Return the stream resource's parameters (what a reader needs besides the uri)."""

    @property
    def capacity(self) -> int | None:
        """Return how many frames the file can take (``None``: unlimited)."""
        return None

    def reserve(self, count: int) -> None:
        """Make room for ``count`` frames in all; called before frames that are already queued."""
        del count

    @abstractmethod
    def write(self, index: int, frame: Frame) -> None:
        """Write frame number ``index`` (frames arrive in order)."""

    @abstractmethod
    def sync(self, count: int) -> None:
        """Make the first ``count`` frames visible to other readers (processes included)."""

    @abstractmethod
    def close(self, count: int) -> None:
        """Finish the file holding exactly ``count`` frames and release it."""

    def describe(self) -> str:
        """Name the file for error messages, e.g. "HDF5 file '/data/cam.h5'"."""
        return f"{self.kind} '{self.path}'"

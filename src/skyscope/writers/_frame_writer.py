"""The interface detectors use to write frames: once, to files, off the event loop."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, runtime_checkable

import numpy as np

from skyscope.documents import DataKey, StreamAsset


@runtime_checkable
class FrameWriter(Protocol):
    """Writes one data key's frames to a file and describes them with stream documents.

    Frames are never carried in documents: the writer puts them in a file and yields
    ``stream_resource`` (once per file and data key) and ``stream_datum`` (once per flush period,
    naming a range of frame indices) documents that reference them.
    """

    async def open(
        self, data_key: str, frame_shape: tuple[int, ...], dtype: np.dtype, *, source: str = ""
    ) -> dict[str, DataKey]:
        """Create the file(s) and return the ``describe()`` data keys (``external: "STREAM:"``)."""
        ...

    async def write(self, frame: np.ndarray) -> int:
        """Queue one frame (waiting while the queue is full) and return its index.

        The frame is handed over without a copy: the caller must not change it afterwards.
        """
        ...

    def get_indices_written(self) -> int:
        """Return how many frames are written and visible to readers (acknowledged)."""
        ...

    async def flush(self) -> int:
        """Wait until every queued frame is written and visible; return the acknowledged count."""
        ...

    async def acknowledged_at_least(self, count: int) -> int:
        """Wait until the first ``count`` frames are acknowledged (not later ones); return that."""
        ...

    def collect_stream_docs(self, indices_written: int) -> Iterator[StreamAsset]:
        """Yield the stream resource (first time) and a stream datum up to ``indices_written``."""
        ...

    async def close(self) -> None:
        """Write what is queued and close the file(s); they stay readable."""
        ...


async def write_acknowledged(writer: FrameWriter, frame: np.ndarray) -> int:
    """Hand ``frame`` to ``writer`` and wait until readers can see it (not for later frames).

    What a software-triggered camera does per trigger: its event then references the frame.
    Returns how many frames are acknowledged.
    """
    index = await writer.write(frame)
    return await writer.acknowledged_at_least(index + 1)

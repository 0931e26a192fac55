"""``FrameTap``: a frame writer that shows each frame to live viewers on its way to the file.

Wrap a camera's writer in it (``Microscope(writer=FrameTap(HDF5FrameWriter(folder), live))``):
every frame the camera writes is published to the ``LiveFrames`` slot by reference (no copy,
no wait) and then handed to the real writer, so viewers see what is being acquired while the
acquisition goes at the writer's pace alone. ``saving = False`` makes frames live-only (the live
view plan), written nowhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from skyscope.documents import DataKey, StreamAsset
from skyscope.writers import FrameWriter

from ._live_frames import LiveFrames


class FrameTap:
    """A ``FrameWriter`` that publishes every frame to ``live`` before writing it."""

    def __init__(
        self,
        writer: FrameWriter,
        live: LiveFrames,
        *,
        pixel_size_um: Callable[[], float] | None = None,
    ) -> None:
        """Write through ``writer``; ``pixel_size_um`` says the current pixel size (for clicks)."""
        self.writer = writer
        self.live = live
        self.saving = True
        self._pixel_size_um = pixel_size_um
        self._channel = ""

    async def open(
        self, data_key: str, frame_shape: tuple[int, ...], dtype: np.dtype[Any], *, source: str = ""
    ) -> dict[str, DataKey]:
        """Open the real writer; frames are published under ``data_key``."""
        self._channel = data_key
        return await self.writer.open(data_key, frame_shape, dtype, source=source)

    async def write(self, frame: np.ndarray[Any, Any]) -> int:
        """Publish ``frame`` to live viewers, then write it (unless live-only)."""
        pixel = self._pixel_size_um() if self._pixel_size_um is not None else None
        self.live.publish(frame, channel=self._channel, pixel_size_um=pixel)
        if not self.saving:  # live only: no new index; the last frame written stands for it
            return self.writer.get_indices_written() - 1
        return await self.writer.write(frame)

    def __getattr__(self, name: str) -> Any:
        """Anything else is the real writer's (its ``queue_depth``, for one)."""
        if name == "writer":  # (not set yet: no recursion)
            raise AttributeError(name)
        return getattr(self.writer, name)

    def get_indices_written(self) -> int:
        """Frames written and visible to readers."""
        return self.writer.get_indices_written()

    async def flush(self) -> int:
        """Wait until every queued frame is written."""
        return await self.writer.flush()

    async def acknowledged_at_least(self, count: int) -> int:
        """Wait until the real writer has acknowledged the first ``count`` frames."""
        return await self.writer.acknowledged_at_least(count)

    def collect_stream_docs(self, indices_written: int) -> Iterator[StreamAsset]:
        """The real writer's stream documents."""
        return self.writer.collect_stream_docs(indices_written)

    async def close(self) -> None:
        """Close the real writer."""
        await self.writer.close()

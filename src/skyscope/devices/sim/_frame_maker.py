"""Rendering the camera's frames off the event loop into reusable buffers.

Renders are serialised by a thread lock (the model is not thread-safe); the lock also covers
a render still finishing on its thread after the acquisition that asked for it was cancelled.
A small pattern frame (a copy of a cached test pattern, its mean known from the pattern's sum)
costs less than the hop to a worker thread and back, so it is made on the loop when the lock is
free.
Frames bound for a writer come from a ``FramePool``: a buffer is reused only once nothing
holds the frame lent from it, so a frame handed to a writer is never changed afterwards.
"""

from __future__ import annotations

import asyncio
import functools
import threading

from ...writers import FrameWriter
from ._frame_pool import FramePool
from ._model import MicroscopeModel
from ._sensor import CameraSettings
from ._synth import SensorFrame

EXACT_MEAN_PIXELS = 512 * 512
"""Frames up to this many pixels get an exact mean (``frame_mean``)."""
INLINE_PATTERN_PIXELS = 1024 * 1024
"""Pattern frames up to this many pixels (a 2 MB copy, ~0.1 ms) are made on the event loop."""
_DEFAULT_QUEUE_DEPTH = 8
"""Frames a writer that does not say its ``queue_depth`` (or none) is assumed to hold at once."""


class FrameMaker:
    """Renders frames of ``model`` (any thread, one at a time); pooled ones from a bounded pool."""

    def __init__(self, model: MicroscopeModel, pool_limit: int) -> None:
        """Render from ``model``; keep up to ``pool_limit`` reusable frame buffers."""
        self._model = model
        self._pool = FramePool(pool_limit)
        self._lock = threading.Lock()

    @property
    def pool(self) -> FramePool:
        """Return the pool that lends the frames of ``render(..., pooled=True)``."""
        return self._pool

    def render(self, settings: CameraSettings, *, pooled: bool) -> SensorFrame:
        """Take one frame at ``settings`` (blocking): a pooled buffer or a new array."""
        with self._lock:
            return self._render(settings, pooled, mean=False)[0]

    def render_with_mean(
        self, settings: CameraSettings, *, pooled: bool
    ) -> tuple[SensorFrame, float]:
        """Take one frame (blocking) and its exact mean pixel value."""
        with self._lock:
            return self._render(settings, pooled, mean=True)

    async def render_off_loop(
        self, settings: CameraSettings, *, pooled: bool
    ) -> tuple[SensorFrame, float]:
        """Take one frame and its mean on a worker thread, leaving the event loop free.

        A small pattern frame is made here on the loop instead (see the module's docstring),
        unless a render still holds the lock.
        """
        made = self.render_now(settings, pooled=pooled)
        if made is not None:
            return made
        render = functools.partial(self.render_with_mean, settings, pooled=pooled)
        return await asyncio.get_running_loop().run_in_executor(None, render)

    def render_now(
        self, settings: CameraSettings, *, pooled: bool
    ) -> tuple[SensorFrame, float] | None:
        """Make a small pattern frame and its mean here and now; ``None`` if it must wait."""
        if not self.cheap(settings) or not self._lock.acquire(blocking=False):
            return None
        try:
            return self._render(settings, pooled, mean=True)
        finally:
            self._lock.release()

    def cheap(self, settings: CameraSettings) -> bool:
        """Whether a frame at ``settings`` is a pattern copy small enough for the loop."""
        if self._model.mode != "pattern":
            return False
        rows, cols = settings.frame_shape(self._model.sensor)
        return rows * cols <= INLINE_PATTERN_PIXELS

    def _render(
        self, settings: CameraSettings, pooled: bool, mean: bool
    ) -> tuple[SensorFrame, float]:
        """Render under the lock (held by the caller)."""
        out = None
        if pooled:
            out = self._pool.take(settings.frame_shape(self._model.sensor), settings.dtype)
        self._model.camera = settings
        return self._model.snap_with_mean(out, mean=mean)


def frame_mean(frame: SensorFrame) -> float:
    """The mean pixel value; above ``EXACT_MEAN_PIXELS``, of every 4th row and column.

    An exact mean of a 2048x2048 frame costs as much as copying it; the sample reads a sixteenth
    of the pixels and differs from it by far less than the noise of a camera's frame.
    """
    sample = frame if frame.size <= EXACT_MEAN_PIXELS else frame[::4, ::4]
    return float(sample.mean())


def pool_limit(writer: FrameWriter | None) -> int:
    """Return how many frame buffers to reuse: enough for a writer's queue and two more.

    Without a writer of its own the camera's frames may still go to one (a plan writes them):
    the pool is sized for a writer of the default depth.
    """
    return int(getattr(writer, "queue_depth", _DEFAULT_QUEUE_DEPTH)) + 2

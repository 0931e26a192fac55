"""One sequence acquisition through the core's circular buffer, drained into a frame writer.

The camera fills the core's circular buffer on its own (``startSequenceAcquisition``); the
worker pops what has arrived in batches, and each frame goes to the writer in order. The
sequence ends when every frame arrived, when ``stop()`` was asked (frames already in the buffer
are still written), or with an error that names the camera and how many frames arrived: when
no frame comes within the timeout, or when the camera stopped early (a full buffer).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ...writers import FrameWriter
from ._camera_values import use_camera
from ._link import CoreLink

BATCH = 64
"""At most this many frames are popped from the buffer in one worker call."""

POLL_S = 0.002
"""How long to wait before asking the buffer again when it was empty."""


class CameraTimeoutError(TimeoutError):
    """A camera delivered no frame within the timeout during a sequence."""


class SequenceEndedError(RuntimeError):
    """A camera stopped a sequence before delivering every frame (e.g. the buffer overflowed)."""


class BufferedSequence:
    """Acquire ``frames`` frames of camera ``label`` and write them, as they arrive."""

    def __init__(
        self,
        link: CoreLink,
        label: str,
        writer: FrameWriter,
        frames: int,
        *,
        camera: str,
        timeout_s: float,
        on_frame: Callable[[int], None],
    ) -> None:
        """Prepare a sequence; ``camera`` names it in errors, ``on_frame(n)`` follows progress."""
        self._link = link
        self._label = label
        self._writer = writer
        self.frames = frames
        self._camera = camera
        self._timeout_s = timeout_s
        self._on_frame = on_frame
        self.received = 0
        self.timestamps: list[float] = []
        self._stop_requested = False

    def request_stop(self) -> None:
        """Ask the sequence to end after writing what the buffer holds."""
        self._stop_requested = True

    async def start(self) -> None:
        """Start the camera's sequence acquisition (frames fill the circular buffer)."""
        await self._link.call(_start, self._link.core, self._label, self.frames)

    async def drain(self) -> None:
        """Write every frame that arrives, then stop the camera (after ``start()``)."""
        link = self._link
        try:
            await self._drain_until_done()
        finally:
            leftovers = await link.call(_stop, link.core, self._label)
            if self._stop_requested:
                await self._write(leftovers[: self.frames - self.received])
            await self._writer.flush()

    async def _drain_until_done(self) -> None:
        last_frame = time.monotonic()
        while self.received < self.frames and not self._stop_requested:
            batch, running, overflowed = await self._link.call(
                _pop, self._link.core, self._label, min(BATCH, self.frames - self.received)
            )
            if batch:
                await self._write(batch)
                last_frame = time.monotonic()
            elif not running and not self._stop_requested:
                raise self._ended(overflowed)
            elif time.monotonic() - last_frame > self._timeout_s:
                raise self._timed_out()
            else:
                await asyncio.sleep(POLL_S)

    async def _write(self, frames: list[np.ndarray]) -> None:
        for frame in frames:
            self.timestamps.append(time.time())
            await self._writer.write(frame)
            self.received += 1
            self._on_frame(self.received)

    def _ended(self, overflowed: bool) -> SequenceEndedError:
        why = "the circular buffer overflowed" if overflowed else "the camera stopped"
        return SequenceEndedError(
            f"{self._camera}: {why} after {self.received} of {self.frames} frames of the "
            "sequence arrived"
        )

    def _timed_out(self) -> CameraTimeoutError:
        return CameraTimeoutError(
            f"{self._camera} timed out: no frame for {self._timeout_s:g} s; {self.received} of "
            f"{self.frames} frames of the sequence arrived"
        )


def _start(core: Any, label: str, frames: int) -> None:
    use_camera(core, label)
    if core.isSequenceRunning(label):
        core.stopSequenceAcquisition(label)
    core.initializeCircularBuffer()
    core.startSequenceAcquisition(label, frames, 0.0, True)


def _pop(core: Any, label: str, limit: int) -> tuple[list[np.ndarray], bool, bool]:
    """Pop up to ``limit`` frames; say whether the sequence runs (asked before popping)."""
    running = bool(core.isSequenceRunning(label))
    batch: list[np.ndarray] = []
    while len(batch) < limit and core.getRemainingImageCount() > 0:
        batch.append(core.popNextImage())
    overflowed = False if running or batch else bool(core.isBufferOverflowed())
    return batch, running, overflowed


def _stop(core: Any, label: str) -> list[np.ndarray]:
    """Stop the camera (if still running) and return the frames left in the buffer."""
    if core.isSequenceRunning(label):
        core.stopSequenceAcquisition(label)
    leftovers: list[np.ndarray] = []
    while core.getRemainingImageCount() > 0:
        leftovers.append(core.popNextImage())
    return leftovers

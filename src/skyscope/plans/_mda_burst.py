"""A hardware burst: consecutive frames streamed by the camera as one sequence.

The camera is armed once (``prepare(n)``, ``kickoff()``) and streams ``n`` frames into its own
file at its frame rate. The plan still emits one event per frame, waiting for each to reach the
file; between those waits the engine can act on pause and abort. The burst is the ``obj`` of
the waiting messages, so on a pause the engine calls ``pause()`` here, which stops the camera
(the frames taken stay in the file); after the resume the wait for the next frame re-arms the
camera for the frames still missing. Each wait has a time limit (a whole burst's exposures and
readouts, with a margin): past it the run fails and the camera is stopped.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from ..engine import Msg
from ._scope_protocol import CameraLike

_POLL_FRACTION = 0.25  # poll the file's frame count this often, as a fraction of a frame period
_MIN_POLL_S = 0.001


class Burst:
    """One camera sequence of ``frames`` frames, followed frame by frame."""

    def __init__(
        self, camera: CameraLike, frames: int, period_s: float, timeout: float | None = None
    ) -> None:
        """Follow a burst of ``frames`` frames of ``camera`` taken ``period_s`` apart.

        ``timeout`` bounds each wait: arming, each frame, and the end of the sequence.
        """
        self._camera: Any = camera
        self.frames = frames
        self._limit = {} if timeout is None else {"timeout": timeout}
        self._poll = max(period_s * _POLL_FRACTION, _MIN_POLL_S)
        self._base = 0
        self._complete: Any = None
        self._armed_at = 0
        self._stamps: list[float] = []
        self.rearmed = 0
        """How many times a pause made the burst re-arm the camera."""

    @property
    def name(self) -> str:
        """A name for messages and logs."""
        return f"{self._camera.name}-burst"

    def start_msg(self) -> Msg:
        """The message that arms the camera and starts the sequence."""
        return Msg("wait_for", self, [self.start], **self._limit)

    def frame_msg(self, index: int) -> Msg:
        """The message that waits until frame ``index`` is in the file."""
        return Msg("wait_for", self, [lambda: self.frame_ready(index)], **self._limit)

    def finish_msg(self) -> Msg:
        """The message that waits for the camera to finish the sequence."""
        return Msg("wait_for", self, [self.finish], **self._limit)

    async def start(self) -> None:
        """Arm and start the camera for the whole burst."""
        self._base = int(self._camera.get_index())
        await self._arm(self.frames)

    async def _arm(self, frames: int) -> None:
        self._armed_at = self._acquired()
        await self._camera.prepare(frames)
        await self._camera.kickoff()
        self._complete = self._camera.complete()

    def _acquired(self) -> int:
        return int(self._camera.get_index()) - self._base

    async def frame_ready(self, index: int) -> None:
        """Wait until frame ``index`` of the burst is in the file (re-arming after a pause)."""
        while self._acquired() <= index:
            finished = self._complete is None or self._complete.done
            if finished and self._acquired() <= index:
                await self._settle_file()
                if self._acquired() <= index:
                    self.rearmed += 1
                    await self._arm(self.frames - self._acquired())
                    continue
            await asyncio.sleep(self._poll)

    async def _settle_file(self) -> None:
        writer = getattr(self._camera, "writer", None)
        if writer is not None:
            await writer.flush()

    def started(self, index: int) -> float | None:
        """Return when frame ``index`` was read out (monotonic clock), if the camera says."""
        stamps = getattr(self._camera, "sequence_timestamps", None)
        offset = index - self._armed_at
        if not stamps or not 0 <= offset < len(stamps):
            return None
        return float(stamps[offset]) - time.time() + time.monotonic()

    async def finish(self) -> None:
        """Wait for the sequence to end (every frame written)."""
        if self._complete is not None:
            await self._complete
        await self._settle_file()

    async def pause(self) -> None:
        """The engine paused: stop the camera; frames already taken stay in the file."""
        await self._camera.stop()

    async def stop(self, success: bool = True) -> None:
        """A wait timed out (or the run ends): stop the camera."""
        await self._camera.stop()

    def resume(self) -> None:
        """The engine resumed: the next wait re-arms the camera for the missing frames."""

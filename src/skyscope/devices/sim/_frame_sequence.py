"""A camera sequence's frames, rendered on a thread of their own as the event loop allows.

The loop grants each exposure (``expose_next``) and takes rendered frames (``next_frame``); the
thread renders while the loop hands the previous frame to the writer. Hand-overs cost the loop
a lock and a deque operation: the thread wakes the loop only when it is waiting for a frame,
so a loop that keeps up never pays for a thread hop.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque

from ._frame_maker import FrameMaker
from ._sensor import CameraSettings
from ._synth import SensorFrame


class FrameSequence:
    """Renders up to ``frames`` pooled frames at ``settings``, one per ``expose_next`` grant."""

    def __init__(self, maker: FrameMaker, settings: CameraSettings, frames: int) -> None:
        """Prepare (not start) a sequence of ``frames`` frames rendered by ``maker``."""
        self._maker = maker
        self._settings = settings
        self._frames = frames
        self._loop = asyncio.get_running_loop()
        self._condition = threading.Condition()
        self._granted = 0
        self._ready: deque[SensorFrame] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._error: BaseException | None = None
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="sim camera sequence", daemon=True)

    def start(self) -> None:
        """Start the rendering thread and expose the first frame."""
        self.expose_next()
        self._thread.start()

    def expose_next(self) -> None:
        """Let the thread render one more frame (while the loop deals with the last one)."""
        with self._condition:
            self._granted += 1
            self._condition.notify()

    async def next_frame(self) -> SensorFrame:
        """Return the next rendered frame, waiting for it if need be; raise a render's error."""
        while True:
            with self._condition:
                if self._ready:
                    return self._ready.popleft()
                if self._error is not None:
                    raise self._error
                waiter = self._waiter = self._loop.create_future()
            await waiter

    def stop(self) -> None:
        """End the sequence: the thread finishes a render in progress and quits; frames drop."""
        with self._condition:
            self._stopped = True
            self._ready.clear()
            self._condition.notify()

    # --- the rendering thread ---

    def _run(self) -> None:
        try:
            for _ in range(self._frames):
                if not self._await_grant():
                    return
                frame = self._maker.render(self._settings, pooled=True)
                self._deliver(frame, None)
        except BaseException as exc:
            self._deliver(None, exc)

    def _await_grant(self) -> bool:
        """Wait until the loop grants an exposure; False once the sequence is stopped."""
        with self._condition:
            while self._granted == 0 and not self._stopped:
                self._condition.wait()
            if self._stopped:
                return False
            self._granted -= 1
            return True

    def _deliver(self, frame: SensorFrame | None, error: BaseException | None) -> None:
        """Hand a frame (or the failure) to the loop, waking it only if it is waiting."""
        with self._condition:
            if self._stopped:
                return
            if frame is not None:
                self._ready.append(frame)
            if error is not None:
                self._error = error
            waiter, self._waiter = self._waiter, None
        if waiter is not None:
            with contextlib.suppress(RuntimeError):  # a closed loop has no one left to tell
                self._loop.call_soon_threadsafe(_wake, waiter)


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)

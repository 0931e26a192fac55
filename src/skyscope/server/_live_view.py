"""``live_view``: the page's live-view button as a plan: frames to viewers, saved nowhere.

The camera must write through a ``FrameTap``; while the plan runs the tap stops saving, and
each triggered frame goes only to the ``LiveFrames`` slot. It runs until stopped (``/api/re``
pause then stop, or the queue's stop) or for ``frames`` frames when given.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncGenerator
from typing import Any

from skyscope.engine import Msg
from skyscope.plans import CameraLike, stage_wrapper

from ._frame_tap import FrameTap


def _tap(camera: CameraLike) -> FrameTap:
    tap = camera.writer
    if not isinstance(tap, FrameTap):
        raise ValueError(
            f"live view shows {camera.name!r}'s frames only if its writer is a FrameTap "
            f"(it is {type(tap).__name__}): build the camera with writer=FrameTap(writer, live)"
        )
    return tap


async def live_view(camera: CameraLike, frames: int = 0) -> AsyncGenerator[Any, Any]:
    """Show ``camera``'s frames live, saving none, until stopped (or for ``frames`` if > 0).

    Parameters
    ----------
    camera
        The camera to watch (its writer a ``FrameTap``).
    frames
        How many frames to show; 0 runs until the plan is stopped.

    """
    if frames < 0:
        raise ValueError(f"frames must be >= 0 (0: until stopped), not {frames}")
    tap = _tap(camera)

    async def loop() -> AsyncGenerator[Any, Any]:
        for _ in range(frames) if frames else itertools.count():
            yield Msg("checkpoint")
            yield Msg("trigger", camera, group="live_view")
            yield Msg("wait", group="live_view")

    tap.saving = False
    try:
        yield stage_wrapper(loop(), [camera])
    finally:
        tap.saving = True

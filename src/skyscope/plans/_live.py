"""Live view: frames at the camera's rate to whoever watches, saved nowhere, until stopped.

``live(camera, view)`` opens no run (so no documents, no files): each frame goes to the
``LiveView``'s subscribers. It runs until ``engine.stop()``; the camera reads its settings at
every trigger, so a change made meanwhile (``await camera.exposure.set(0.05)``) shows in the
next frame.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from typing import Any

from ..engine import Msg
from ._autofocus import check_inline_camera, snap
from ._scope_protocol import CameraLike
from ._sharpness import NumericFrame


@dataclass(frozen=True)
class LiveFrame:
    """One live frame, its number since the view started and when it arrived (monotonic s)."""

    number: int
    time: float
    frame: NumericFrame


FrameCallback = Callable[[LiveFrame], None]


class LiveView:
    """Hands live frames to subscribers; remembers the latest."""

    def __init__(self) -> None:
        """Start with no frames and no subscribers."""
        self._subscribers: dict[int, FrameCallback] = {}
        self._tokens = itertools.count()
        self.latest: LiveFrame | None = None
        self.count = 0

    def subscribe(self, callback: FrameCallback) -> int:
        """Call ``callback(live_frame)`` for every frame; return a token for ``unsubscribe``."""
        token = next(self._tokens)
        self._subscribers[token] = callback
        return token

    def unsubscribe(self, token: int) -> None:
        """Stop calling the subscriber ``token`` names."""
        self._subscribers.pop(token, None)

    def publish(self, frame: NumericFrame) -> LiveFrame:
        """Hand ``frame`` to every subscriber."""
        live_frame = LiveFrame(self.count, time.monotonic(), frame)
        self.count += 1
        self.latest = live_frame
        for callback in list(self._subscribers.values()):
            callback(live_frame)
        return live_frame


async def live(camera: CameraLike, view: LiveView) -> AsyncGenerator[Any, Any]:
    """Stream a camera's frames to a live view at the camera's rate until the engine stops it.

    Parameters
    ----------
    camera
        The camera (one that hands frames back, not one writing to a file).
    view
        Gets every frame, for whoever subscribed to it.

    """
    check_inline_camera(camera)
    while True:
        yield Msg("checkpoint")
        frame = yield snap(camera)
        view.publish(frame)

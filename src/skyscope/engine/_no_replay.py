"""``NoReplayAllowed``: a device's ``pause()`` says a resume must not replay what it did.

bluesky's devices raise ``bluesky.utils.NoReplayAllowed`` from ``pause()`` (a detector whose
acquisition cannot be repeated); skyscope's devices raise this one. Both are recognised by
name, so the engine honours bluesky's devices without importing bluesky.
"""

from __future__ import annotations

from ._errors import EngineError


class NoReplayAllowed(EngineError):
    """Raised by a device's ``pause()``: resume from where the plan paused, replaying nothing."""


def refuses_replay(error: BaseException) -> bool:
    """True for skyscope's or bluesky's ``NoReplayAllowed`` (or a subclass of either)."""
    return any(kind.__name__ == "NoReplayAllowed" for kind in type(error).__mro__)

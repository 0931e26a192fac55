"""Frame sources for the test camera: a callable from frame number to a 2-D image.

The IOC runs in its own process, so a frame source is named by ``"module:attribute"``: a class
is instantiated (with keyword arguments, if any), a function given keyword arguments is called
with them as a factory, anything else callable is the source itself. A source with a parameter
named ``positions`` also gets the IOC's motor readbacks, ``{"x": rbv, "y": rbv, "z": rbv}``, so
moving the motors can move what the camera sees; ``source(number)`` sources still work.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Mapping

import numpy as np
import numpy.typing as npt

FrameFunction = Callable[[int], npt.NDArray[np.generic]]
"""Return the image for a frame number (the camera's ArrayCounter after the frame)."""

Positions = Mapping[str, float]
"""Motor readbacks by axis name, in the motors' engineering units."""

PositionedFrames = Callable[[int, Positions], npt.NDArray[np.generic]]
"""Return the image for a frame number with the motors at the given positions."""

DEFAULT_FRAME_SOURCE = f"{__name__}:PatternFrames"


class PatternFrames:
    """A cheap deterministic ``uint16`` pattern that differs from frame to frame."""

    def __init__(self, height: int = 48, width: int = 64) -> None:
        if height < 1 or width < 1:
            raise ValueError(f"frame shape must be positive, got {height}x{width}")
        rows = np.arange(height, dtype=np.uint32)[:, np.newaxis]
        cols = np.arange(width, dtype=np.uint32)[np.newaxis, :]
        self._base = cols + 3 * rows

    @property
    def shape(self) -> tuple[int, int]:
        """The (height, width) of every frame."""
        height, width = self._base.shape
        return int(height), int(width)

    def __call__(self, frame_number: int) -> npt.NDArray[np.uint16]:
        """Return frame ``frame_number``: a ramp shifted by 7 counts per frame, modulo 4096."""
        return ((self._base + 7 * frame_number) % 4096).astype(np.uint16)


def load_frame_source(spec: str, kwargs: Mapping[str, object] | None = None) -> FrameFunction:
    """Import ``"module:attribute"`` and make the frame source it names (see module docstring)."""
    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise ValueError(f"frame source must be 'module:attribute', got {spec!r}")
    target = getattr(importlib.import_module(module_name), attribute)
    source = target(**(kwargs or {})) if isinstance(target, type) or kwargs else target
    if not callable(source):
        raise TypeError(f"frame source {spec!r} is not callable")
    return source  # type: ignore[no-any-return]


def takes_positions(source: Callable[..., object]) -> bool:
    """Return whether ``source`` has a ``positions`` parameter (wants the motor readbacks)."""
    try:
        parameters = inspect.signature(source).parameters
    except (TypeError, ValueError):  # no signature to read (some builtins): frame number only
        return False
    return "positions" in parameters


def at_positions(source: FrameFunction) -> PositionedFrames:
    """Return ``(frame_number, positions) -> frame`` for any source (old ones ignore positions)."""
    if takes_positions(source):
        wants: Callable[..., npt.NDArray[np.generic]] = source
        return lambda number, positions: wants(number, positions=positions)
    return lambda number, positions: source(number)

"""What a microscope must offer the microscopy plans (MDA, autofocus, tiling, live view).

Duck-typed, like bluesky's protocols: any device tree with these parts works — the simulated
microscope of ``skyscope.devices.sim`` does, and so would one over EPICS or Micro-Manager. The
plans never import a concrete microscope. Optional abilities (hardware sequences, limits checks,
frame writers) are looked up with ``getattr`` at run time and used when present.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import Any, Protocol, runtime_checkable

from ..devices import Location, StatusProtocol
from ..documents import DataKey, Reading
from ..writers import FrameWriter


class ValueSignal(Protocol):
    """A settable value with a readback, e.g. the camera's exposure (seconds)."""

    def set(self, value: float, /) -> StatusProtocol:
        """Write ``value``; the status finishes once it is in effect."""
        ...

    def get_value(self) -> Awaitable[float]:
        """Return the current value."""
        ...


@runtime_checkable
class CameraLike(Protocol):
    """A software-triggered camera: ``trigger()``, then ``read()`` its frame (or its file's)."""

    @property
    def name(self) -> str:
        """The camera's name (prefix of its data keys)."""
        ...

    @property
    def exposure(self) -> ValueSignal:
        """Exposure time in seconds."""
        ...

    @property
    def writer(self) -> FrameWriter | None:
        """The camera's own frame writer, or ``None`` when frames come back inline."""
        ...

    def trigger(self) -> StatusProtocol:
        """Expose and read out one frame."""
        ...

    def read(self) -> Awaitable[dict[str, Reading[Any]]]:
        """Read the last frame's readings (the frame itself when inline)."""
        ...

    def describe(self) -> Awaitable[dict[str, DataKey]]:
        """Describe what ``read`` returns."""
        ...


class Positioner(Protocol):
    """A motorised axis or stage: ``set`` a target, ``locate`` where it is."""

    def set(self, value: Any, /) -> StatusProtocol:
        """Move to ``value``."""
        ...

    def locate(self) -> Awaitable[Location[Any]]:
        """Return the setpoint and the readback."""
        ...


class Selector(Positioner, Protocol):
    """A device with named positions, e.g. the filter wheel holding one cube per channel."""

    @property
    def positions(self) -> Sequence[str]:
        """The names it can switch to."""
        ...


@runtime_checkable
class MicroscopeLike(Protocol):
    """A microscope the MDA can drive: camera, XY stage, focus drive and filter wheel.

    ``xy.set((x, y))`` and ``focus.set(z)`` take micrometres; ``filter_wheel.set(name)`` selects
    a channel by its useq ``config`` name.
    """

    @property
    def name(self) -> str:
        """The microscope's name."""
        ...

    @property
    def camera(self) -> CameraLike:
        """The camera."""
        ...

    @property
    def xy(self) -> Positioner:
        """The XY stage (µm)."""
        ...

    @property
    def focus(self) -> Positioner:
        """The focus drive (µm)."""
        ...

    @property
    def filter_wheel(self) -> Selector:
        """The channel selector."""
        ...


def check_microscope(microscope: object) -> MicroscopeLike:
    """Return ``microscope`` if it has every part the plans need, else say what is missing."""
    missing = [p for p in ("camera", "xy", "focus", "filter_wheel") if not hasattr(microscope, p)]
    if missing:
        raise TypeError(
            f"{type(microscope).__name__} is not a microscope the MDA can drive: it lacks "
            f"{', '.join(missing)} (see skyscope.plans.MicroscopeLike)"
        )
    camera = microscope.camera  # type: ignore[attr-defined]
    if not isinstance(camera, CameraLike):
        raise TypeError(f"{camera!r} is not a camera: it needs trigger, read, exposure, writer")
    return microscope  # type: ignore[return-value]


def can_sequence(camera: object) -> bool:
    """Tell whether ``camera`` streams hardware sequences into its own writer."""
    needed = ("prepare", "kickoff", "complete", "stop", "get_index", "collect_asset_docs")
    return getattr(camera, "writer", None) is not None and all(
        callable(getattr(camera, n, None)) for n in needed
    )

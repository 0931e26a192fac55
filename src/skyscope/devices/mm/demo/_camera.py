"""``DemoCamera``: a deterministic pure-Python Micro-Manager camera for ``UniMMCore``.

Frames depend only on the demo world (stage, filter, objective) and the camera's settings, plus
a frame counter in the header, so the same acquisition on two identical cores gives the same
pixels. Properties: Exposure (ms, limited), Binning (1, 2, 4), PixelType (8bit, 16bit),
CameraName (read-only), and the software ROI of ``SimpleCameraDevice``; changes are announced
to the core (``propertyChanged``) as device adapters do. ``realtime`` makes a snap take its
exposure time; ``stall_after`` makes a sequence hang after that many frames (a hung camera).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from pymmcore_plus.experimental.unicore import SimpleCameraDevice

from ._frames import FrameHeader, render, write_header
from ._world import SHARED_WORLD, DemoWorld

PIXEL_TYPES = {"8bit": np.uint8, "16bit": np.uint16}
BINNINGS = (1, 2, 4)
EXPOSURE_LIMITS_MS = (0.0, 10000.0)


class DemoCamera(SimpleCameraDevice):
    """A camera of ``shape`` pixels (before binning) rendering the demo world."""

    def __init__(
        self,
        world: DemoWorld | None = None,
        *,
        shape: tuple[int, int] = (64, 64),
        realtime: bool = False,
    ) -> None:
        """Render ``world`` (the shared one by default) at full ``shape`` (rows, columns)."""
        super().__init__()
        self.world = world if world is not None else SHARED_WORLD
        self.full_shape = shape
        self.realtime = realtime
        self.stall_after: int | None = None
        self.frames_taken = 0
        self._exposure_ms = 10.0
        self._binning = 1
        self._pixel_type = "16bit"
        self._patterns: dict[tuple[Any, ...], np.ndarray] = {}
        self.register_property(
            "Binning", default_value=1, allowed_values=BINNINGS, property_type=int,
            getter=DemoCamera.get_binning, setter=DemoCamera.set_binning,
        )  # fmt: skip
        self.register_property(
            "PixelType", default_value="16bit", allowed_values=tuple(PIXEL_TYPES),
            getter=DemoCamera._get_pixel_type, setter=DemoCamera._set_pixel_type,
        )  # fmt: skip
        self.set_property_limits("Exposure", EXPOSURE_LIMITS_MS)

    # --- settings ------------------------------------------------------------------------------

    def sensor_shape(self) -> tuple[int, int]:
        """The frame shape at the current binning (before any ROI)."""
        return (self.full_shape[0] // self._binning, self.full_shape[1] // self._binning)

    def dtype(self) -> Any:
        """uint8 or uint16, following PixelType."""
        return PIXEL_TYPES[self._pixel_type]

    def get_exposure(self) -> float:
        """Exposure in ms."""
        return self._exposure_ms

    def set_exposure(self, exposure: float) -> None:
        """Set the exposure in ms."""
        self._exposure_ms = float(exposure)
        self._announce("Exposure", self._exposure_ms)

    def get_camera_name(self) -> str:
        """The camera's model name (a read-only property)."""
        return "skyscope demo camera"

    def get_binning(self) -> int:
        """The binning factor."""
        return self._binning

    def set_binning(self, value: int) -> None:
        """Bin ``value`` by ``value`` pixels (clears the ROI, as real cameras do)."""
        self._binning = int(value)
        self.clear_roi()
        self._announce("Binning", self._binning)

    def _get_pixel_type(self) -> str:
        return self._pixel_type

    def _set_pixel_type(self, value: str) -> None:
        self._pixel_type = str(value)
        self._announce("PixelType", self._pixel_type)

    def _announce(self, name: str, value: object) -> None:
        """Tell the core a property changed, as a device adapter does (once it is loaded)."""
        if self.get_label():
            self.core.events.propertyChanged.emit(self.get_label(), name, str(value))

    # --- frames --------------------------------------------------------------------------------

    def snap(self, buffer: np.ndarray) -> Mapping[str, Any]:
        """Fill ``buffer`` with the frame the world looks like now (and wait in real time)."""
        start = time.monotonic()
        world, exposure = self.world, self._exposure_ms
        np.copyto(buffer, self._pattern(buffer.shape, buffer.dtype))
        header = FrameHeader(self.frames_taken, world.x_um, world.y_um, world.z_um, exposure,
                             world.channel, world.objective)  # fmt: skip
        write_header(buffer, header)
        self.frames_taken += 1
        if self.realtime:
            time.sleep(max(0.0, exposure / 1000.0 - (time.monotonic() - start)))
        return {"DemoFrame": header.number}

    def _pattern(self, shape: tuple[int, ...], dtype: np.dtype[Any]) -> np.ndarray:
        world = self.world
        defocus = world.z_um - world.focus_um
        key = (shape, dtype.str, self._exposure_ms, world.channel, defocus, world.depth_of_field_um)
        pattern = self._patterns.get(key)
        if pattern is None:
            if len(self._patterns) > 64:
                self._patterns.clear()
            pattern = self._patterns[key] = render(
                (shape[0], shape[1]), dtype, exposure_ms=self._exposure_ms,
                channel=world.channel, defocus_um=defocus, depth_um=world.depth_of_field_um,
            )  # fmt: skip
        return pattern

    def start_sequence(
        self, n: int | None, get_buffer: Callable[[Sequence[int], Any], np.ndarray]
    ) -> Iterator[Mapping[str, Any]]:
        """Stream frames; after ``stall_after`` of them, hang until the core stops the sequence."""
        for number, metadata in enumerate(super().start_sequence(n, get_buffer)):
            yield metadata
            if self.stall_after is not None and number + 1 >= self.stall_after:
                _hang_until_stopped()
                return


def _hang_until_stopped() -> None:
    """Block the acquisition thread until the core asks it to stop (``stop_event``).

    ``UniMMCore`` runs the sequence on its own thread with a ``stop_event``; a hung camera
    delivers nothing until that is set.
    """
    stop = getattr(threading.current_thread(), "stop_event", None)
    if isinstance(stop, threading.Event):
        stop.wait()

"""The whole simulated instrument as plain state plus one method that takes a picture.

No devices, no asyncio: the stage, focus, turret, filter wheel, light, shutter and camera
settings are attributes, and ``snap()`` renders what the camera would record. The devices of
``skyscope.devices.sim`` drive this model; benchmarks and users' analysis code can use it alone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from ._optics import DEFAULT_CHANNELS, DEFAULT_OBJECTIVES, Channel, Objective
from ._render import View, illuminated, render_scene
from ._sample import Sample, SampleSpec
from ._sensor import CameraSettings, SensorSpec
from ._synth import Exposure, FrameSynth, NoiseModel, SensorFrame

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
Index = npt.NDArray[np.intp]
RenderMode = Literal["physics", "pattern"]

_POSITION_STEPS_PER_PIXEL = 20  # the scene is re-rendered when the stage moves 1/20 pixel
_FOCUS_STEP_UM = 0.005
_BLEACH_TOLERANCE = 0.01  # re-render when any drawn component has bleached 1 % more


@dataclass
class _Scene:
    """A rendered scene and what it was rendered from."""

    view: View
    image: F32
    drawn: Index
    drawn_bleach: F64
    lit: Index
    lit_excitation: F64
    version: int


@dataclass
class MicroscopeModel:
    """State of every part of the microscope, and ``snap()`` to take a frame at that state."""

    seed: int = 0
    sample_spec: SampleSpec = field(default_factory=SampleSpec)
    sensor: SensorSpec = field(default_factory=SensorSpec)
    objectives: tuple[Objective, ...] = DEFAULT_OBJECTIVES
    channels: tuple[Channel, ...] = DEFAULT_CHANNELS
    noise: NoiseModel = "fast"
    mode: RenderMode = "physics"
    x_um: float = 0.0
    y_um: float = 0.0
    z_um: float | None = None
    objective: int = 2
    channel: int = 1
    light_on: bool = True
    light_power: float = 50.0
    shutter_open: bool = True
    camera: CameraSettings = field(default_factory=CameraSettings)
    drift_um_per_s: tuple[float, float, float] = (0.0, 0.0, 0.0)
    frames_taken: int = 0

    def __post_init__(self) -> None:
        if self.mode not in ("physics", "pattern"):
            raise ValueError(f"mode must be 'physics' or 'pattern', got {self.mode!r}")
        self.sample = Sample(self.sample_spec, self.seed)
        if self.z_um is None:
            self.z_um = self.sample.surface_z_um(self.x_um, self.y_um)
        self._synth = FrameSynth(self.seed + 1, self.noise)
        self._scene: _Scene | None = None
        self._versions = 0
        self._pattern: dict[tuple[tuple[int, int], int], tuple[SensorFrame, int]] = {}
        self._born = time.monotonic()
        self.camera.check(self.sensor)

    @property
    def focus_um(self) -> float:
        """Return the focal plane's height (µm)."""
        assert self.z_um is not None
        return self.z_um

    def pixel_size_um(self) -> float:
        """Return the size of one (binned) pixel at the sample, in µm."""
        return self.objectives[self.objective].pixel_size_um(
            self.sensor.pixel_um, self.camera.binning
        )

    def field_of_view_um(self) -> tuple[float, float]:
        """Return the full sensor's field of view (width, height) at the sample, in µm."""
        unbinned = self.sensor.pixel_um / self.objectives[self.objective].magnification
        return self.sensor.shape[1] * unbinned, self.sensor.shape[0] * unbinned

    def depth_of_field_um(self) -> float:
        """Return the depth of field of the current objective and channel."""
        objective = self.objectives[self.objective]
        wavelength = self.channels[self.channel].emission_um
        return objective.depth_of_field_um(wavelength, self.sensor.pixel_um)

    def frame_shape(self) -> tuple[int, int]:
        """Return the (rows, cols) of the frames the current settings produce."""
        return self.camera.frame_shape(self.sensor)

    def frame_period_s(self) -> float:
        """Return the time between frames of a sequence at the current settings."""
        return self.camera.frame_period_s(self.sensor)

    def drift_um(self) -> tuple[float, float, float]:
        """Return how far the sample has drifted (x, y, z) since the model was made."""
        elapsed = time.monotonic() - self._born
        dx, dy, dz = self.drift_um_per_s
        return dx * elapsed, dy * elapsed, dz * elapsed

    def view(self) -> View:
        """Return where the camera looks now (with drift), quantised so tiny changes reuse it."""
        pixel = self.pixel_size_um()
        step = pixel / _POSITION_STEPS_PER_PIXEL
        dx, dy, dz = self.drift_um() if any(self.drift_um_per_s) else (0.0, 0.0, 0.0)
        return View(
            x_um=round((self.x_um + dx) / step) * step,
            y_um=round((self.y_um + dy) / step) * step,
            z_um=round((self.focus_um - dz) / _FOCUS_STEP_UM) * _FOCUS_STEP_UM,
            objective=self.objectives[self.objective],
            channel=self.channels[self.channel],
            pixel_um=pixel,
            sensor_shape=(
                self.sensor.shape[0] // self.camera.binning,
                self.sensor.shape[1] // self.camera.binning,
            ),
            roi=self.camera.binned_roi(self.sensor),
        )

    def signal_scale(self) -> float:
        """Return exposure * light power fraction, zero when the light or shutter is off."""
        if not (self.light_on and self.shutter_open):
            return 0.0
        return self.camera.exposure_s * self.light_power / 100.0

    def expected_electrons(self) -> F32:
        """Return the noise-free mean charge per pixel of the next frame (for checks and tests)."""
        scene = self._current_scene()
        return self._synth.expected_electrons(scene.image, self._exposure())

    def reseed_noise(self, seed: int) -> None:
        """Restart the camera noise from ``seed``: the next frame depends only on it and state."""
        self._synth.reseed(seed)

    def snap(self, out: SensorFrame | None = None) -> SensorFrame:
        """Take one frame at the current state (bleaching the lit field); fill ``out`` if given."""
        return self.snap_with_mean(out, mean=False)[0]

    def snap_with_mean(
        self, out: SensorFrame | None = None, *, mean: bool = True
    ) -> tuple[SensorFrame, float]:
        """Take one frame as ``snap`` and return its exact mean pixel value (0.0 if not ``mean``).

        A pattern frame's mean follows from the pattern's cached sum (only the first pixel, the
        frame number, differs), so it costs nothing; a physics frame's costs a pass over it.
        """
        self.camera.check(self.sensor)
        shape, dtype = self.frame_shape(), self.camera.dtype
        if out is None:
            out = np.empty(shape, dtype=dtype)
        elif out.shape != shape or out.dtype != dtype:
            raise ValueError(f"out must be {dtype} of shape {shape}, got {out.dtype} {out.shape}")
        average = 0.0
        if self.mode == "pattern":
            pattern, total = self._pattern_frame(shape)
            np.copyto(out, pattern)
            stamp = self.frames_taken % (self.camera.max_value + 1)
            out.flat[0] = stamp
            average = (total - int(pattern.flat[0]) + stamp) / out.size
        else:
            scene = self._current_scene()
            self._synth.expose(scene.image, scene.version, self._exposure(), out)
            self._bleach(scene)
            average = float(out.mean()) if mean else 0.0
        self.frames_taken += 1
        return out, average

    def _exposure(self) -> Exposure:
        return Exposure(self.camera, self.sensor, self.signal_scale())

    def _current_scene(self) -> _Scene:
        """Return the cached scene for the current view, rendering it when the view changed."""
        view = self.view()
        if self._scene is None or self._scene.view != view:
            image, drawn = render_scene(self.sample, view)
            lit = illuminated(self.sample, view)
            excitation = np.asarray(view.channel.excitation)[self.sample.fluorophore[lit]]
            self._versions += 1
            self._scene = _Scene(
                view,
                image,
                drawn,
                self.sample.bleach_factor(drawn),
                lit,
                excitation,
                self._versions,
            )
        return self._scene

    def _bleach(self, scene: _Scene) -> None:
        """Add this exposure's light dose to the lit field; mark the scene stale past 1 %."""
        scale = self.signal_scale()
        if scale <= 0 or scene.lit.size == 0:
            return
        self.sample.expose(scene.lit, scene.lit_excitation * scale)
        if scene.drawn.size:
            now = self.sample.bleach_factor(scene.drawn)
            change = 1.0 - now / np.maximum(scene.drawn_bleach, 1e-300)
            if change.max() > _BLEACH_TOLERANCE:
                self._scene = None

    def _pattern_frame(self, shape: tuple[int, int]) -> tuple[SensorFrame, int]:
        """Return a fixed test pattern (diagonal ramp and grid) and its pixels' sum."""
        key = (shape, self.camera.bit_depth)
        if key not in self._pattern:
            pattern = _test_pattern(shape, self.camera.max_value, self.camera.dtype)
            self._pattern[key] = pattern, int(pattern.sum(dtype=np.uint64))
        return self._pattern[key]


def _test_pattern(
    shape: tuple[int, int], max_value: int, dtype: np.dtype[np.unsignedinteger]
) -> SensorFrame:
    """Return ``(row + col) % 256`` ramps plus a 64-pixel grid, built in 16-bit without temporaries.

    Sums wrap modulo 2**16, a multiple of 256, so the ramp is exact; every step is in place.
    """
    rows = np.arange(shape[0], dtype=np.uint16)[:, np.newaxis]
    cols = np.arange(shape[1], dtype=np.uint16)
    pattern = np.add(rows, cols, dtype=np.uint16)
    pattern &= np.uint16(255)
    pattern *= np.uint16(max_value // 512)
    half = np.uint16(max_value // 2)
    pattern[::64] += half
    pattern[:, ::64] += half
    pattern[::64, ::64] -= half  # grid crossings were lifted twice
    return pattern.astype(dtype, copy=False)

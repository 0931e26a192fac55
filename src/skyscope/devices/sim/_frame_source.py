"""``SimFrames``: simulated microscope frames for the EPICS test IOC's camera.

The test IOC runs in its own process and asks its frame source for an image per frame number
(``"skyscope.devices.sim:SimFrames"`` with keyword arguments), passing the readbacks of its
motors x, y and z: the stage and focus drive's offsets from the configured view, in motor units
of ``motor_unit_um`` µm (1000: the IOC's motors count in mm). Moving the EPICS motors therefore
moves the image, and a z scan over Channel Access sweeps the focus. Frame ``n`` is a function of
the arguments, the positions and ``n`` alone (noise re-seeded per frame, no bleaching), so a
client can check what it received; ``z_step_um`` also turns a sequence into a focus sweep.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from ._model import MicroscopeModel
from ._sample import SampleSpec
from ._sensor import CameraSettings, SensorSpec

_NO_BLEACHING = (math.inf, math.inf, math.inf)


class SimFrames:
    """A frame source: frame ``n`` of the simulated microscope at a fixed field of view."""

    def __init__(
        self,
        *,
        seed: int = 0,
        height: int = 256,
        width: int = 256,
        objective: int = 1,
        channel: int = 1,
        exposure_s: float = 0.05,
        x_um: float = 0.0,
        y_um: float = 0.0,
        defocus_um: float = 0.0,
        z_step_um: float = 0.0,
        motor_unit_um: float = 1000.0,
    ) -> None:
        """Look at (x, y), ``defocus_um`` from the surface, moving ``z_step_um`` per frame.

        Motor positions passed to a call are offsets from there, ``motor_unit_um`` µm per unit.
        """
        if not math.isfinite(motor_unit_um) or motor_unit_um <= 0:
            raise ValueError(f"motor_unit_um must be a positive length, got {motor_unit_um}")
        self._model = MicroscopeModel(
            seed=seed,
            sample_spec=SampleSpec(bleach_time_s=_NO_BLEACHING),
            sensor=SensorSpec(shape=(height, width)),
            camera=CameraSettings(exposure_s=exposure_s),
            objective=objective,
            channel=channel,
            x_um=x_um,
            y_um=y_um,
        )
        self._seed = seed
        self._origin_um = (x_um, y_um)
        self._z0 = self._model.sample.surface_z_um(x_um, y_um) + defocus_um
        self._z_step = z_step_um
        self._motor_unit_um = motor_unit_um

    @property
    def shape(self) -> tuple[int, int]:
        """The (height, width) of every frame."""
        return self._model.frame_shape()

    def focus_um(self, frame_number: int) -> float:
        """Return the focal plane of frame ``frame_number``."""
        return self._z0 + self._z_step * frame_number

    @property
    def pixel_size_um(self) -> float:
        """The size of one pixel at the sample (µm): a stage move of this shifts the image 1 px."""
        return self._model.pixel_size_um()

    @property
    def depth_of_field_um(self) -> float:
        """The depth of field of the objective and channel (µm)."""
        return self._model.depth_of_field_um()

    def __call__(
        self, frame_number: int, positions: Mapping[str, float] | None = None
    ) -> npt.NDArray[np.unsignedinteger]:
        """Render frame ``frame_number`` with the motors at ``positions`` (default: all at 0).

        The same number and positions always give the same image.
        """
        offset = {axis: self._motor_unit_um * value for axis, value in (positions or {}).items()}
        self._model.x_um = self._origin_um[0] + offset.get("x", 0.0)
        self._model.y_um = self._origin_um[1] + offset.get("y", 0.0)
        self._model.z_um = self.focus_um(frame_number) + offset.get("z", 0.0)
        self._model.reseed_noise(self._seed * 1_000_003 + frame_number)
        return self._model.snap()

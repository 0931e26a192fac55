"""``SimFrames``: simulated microscope frames for the EPICS test IOC's camera.

The test IOC runs in its own process and asks its frame source for an image per frame number
(``"skyscope.devices.sim:SimFrames"`` with keyword arguments). Frame ``n`` is a function of the
arguments and ``n`` alone (noise re-seeded per frame, no bleaching), so a client can check what
it received, and ``z_step_um`` turns a sequence into a focus sweep.
"""

from __future__ import annotations

import math

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
    ) -> None:
        """Look at (x, y), ``defocus_um`` from the surface, moving ``z_step_um`` per frame."""
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
        self._z0 = self._model.sample.surface_z_um(x_um, y_um) + defocus_um
        self._z_step = z_step_um

    @property
    def shape(self) -> tuple[int, int]:
        """The (height, width) of every frame."""
        return self._model.frame_shape()

    def focus_um(self, frame_number: int) -> float:
        """Return the focal plane of frame ``frame_number``."""
        return self._z0 + self._z_step * frame_number

    def __call__(self, frame_number: int) -> npt.NDArray[np.unsignedinteger]:
        """Render frame ``frame_number`` (the same image every time it is asked for)."""
        self._model.z_um = self.focus_um(frame_number)
        self._model.reseed_noise(self._seed * 1_000_003 + frame_number)
        return self._model.snap()

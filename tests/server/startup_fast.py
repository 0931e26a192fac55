"""A startup file for ``skyscope serve --startup``: a small, fast simulated microscope.

Its devices and plans are found from its globals (no explicit ``devices``/``plans``).
"""

import math

from skyscope.devices.sim import CameraSettings, Microscope, SensorSpec
from skyscope.plans import count, scan

scope = Microscope(
    seed=3,
    sensor=SensorSpec(shape=(32, 32)),
    camera=CameraSettings(exposure_s=0.001),
    mode="pattern",
    realtime=False,
)
camera = scope.camera
x = scope.xy.x

__all__ = ["camera", "count", "scan", "scope", "x"]


async def setup() -> None:
    await scope.connect()
    await x.velocity.set(math.inf)
    await x.settle_time.set(0.0)

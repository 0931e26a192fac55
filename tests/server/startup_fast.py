"""A startup file for ``skyscope serve --startup``: a small, fast simulated microscope.

Its devices, plans and functions are found from its globals (no explicit lists).
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

__all__ = ["camera", "count", "say", "scan", "scope", "x"]


def say(text: str) -> str:
    """A function clients may call: it prints (to the console output) and answers."""
    print(f"the microscope says: {text}")
    return text


async def setup() -> None:
    await scope.connect()
    await x.velocity.set(math.inf)
    await x.settle_time.set(0.0)

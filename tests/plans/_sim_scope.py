"""A simulated microscope for the microscopy plans' tests: small, and fast where asked."""

from __future__ import annotations

import math
from typing import Any

from skyscope.devices.sim import CameraSettings, Microscope, SensorSpec

CELLS_XY = (300.0, 300.0)
"""A field of the seed-3 sample with a bright, in-focus nucleus (autofocus has something)."""


async def make_scope(
    *, instant: bool = True, shape: tuple[int, int] = (64, 64), **kwargs: Any
) -> Microscope:
    """Connect a small microscope; ``instant`` makes moves and switches take no time."""
    options: dict[str, Any] = {
        "seed": 3,
        "sensor": SensorSpec(shape=shape),
        "camera": CameraSettings(exposure_s=0.005),
        "mode": "pattern",
        "realtime": False,
    }
    scope = Microscope(**{**options, **kwargs})
    await scope.connect()
    if instant:
        for axis in (scope.xy.x, scope.xy.y, scope.focus):
            await axis.velocity.set(math.inf)
            await axis.settle_time.set(0.0)
        for selector in (scope.filter_wheel, scope.objective, scope.shutter):
            await selector.switch_time.set(0.0)
    return scope


async def release(scope: Microscope) -> None:
    """Stop a sequence and close the camera's file, if any."""
    await scope.camera.stop()
    await scope.camera.unstage()

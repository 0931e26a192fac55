"""The queue server tests' environment: a small, fast simulated microscope and a few plans."""

from __future__ import annotations

import math
from typing import Any

from skyscope import plans
from skyscope.devices.sim import CameraSettings, Microscope, SensorSpec
from skyscope.server import Environment

PLANS = [plans.count, plans.scan, plans.list_scan, plans.mv, plans.sleep]


async def fast_scope(shape: tuple[int, int] = (32, 32), **options: Any) -> Microscope:
    """A small simulated microscope whose stages move at once and frames come without waiting."""
    scope = Microscope(
        seed=3,
        sensor=SensorSpec(shape=shape),
        camera=CameraSettings(exposure_s=0.001),
        **{"mode": "pattern", "realtime": False, **options},
    )
    await scope.connect()
    for axis in (scope.xy.x, scope.xy.y, scope.focus):
        await axis.velocity.set(math.inf)
        await axis.settle_time.set(0.0)
    return scope


def scope_environment(scope: Microscope, plan_list: list[Any]) -> Environment:
    """The environment of ``scope``'s camera and stages, offering ``plan_list``."""
    devices: dict[str, Any] = {
        "camera": scope.camera,
        "x": scope.xy.x,
        "y": scope.xy.y,
        "focus": scope.focus,
    }

    async def teardown() -> None:
        await scope.camera.unstage()

    return Environment(devices=devices, plans={p.__name__: p for p in plan_list}, teardown=teardown)


async def sim_environment() -> Environment:
    return scope_environment(await fast_scope(), PLANS)

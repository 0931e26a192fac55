"""``demo_rig``: a ``UniMMCore`` loaded with the demo devices, as a microscope's ``.cfg`` would.

Devices: ``Camera``, ``XY``, ``Z`` (focus), ``Filter`` (wheel), ``Objective`` (turret) and
``Shutter``. Config groups: ``Channel`` (one preset per filter; the channel group) and
``Objective`` (one preset per objective). Pixel size configurations follow the objective.
``DEMO_CONFIG`` is the same system as a Micro-Manager ``.cfg`` file (Python devices on
``#py`` lines, sharing one world per process).
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pymmcore_plus.experimental.unicore import UniMMCore

from ._camera import DemoCamera
from ._selectors import FILTERS, OBJECTIVES, DemoFilterWheel, DemoObjectiveTurret, DemoShutter
from ._stages import DemoFocusStage, DemoXYStage
from ._world import DemoWorld

PIXEL_SIZES_UM = {"10x": 0.65, "40x": 0.1625}
"""The pixel size at the sample (binning 1) with each objective."""

DEMO_CONFIG = Path(str(resources.files(__package__).joinpath("demo.cfg")))
"""The demo system as a Micro-Manager configuration file (load it with ``UniMMCore``)."""


@dataclass
class DemoRig:
    """A demo core, its world, and its device objects by label."""

    core: UniMMCore
    world: DemoWorld
    devices: dict[str, Any] = field(default_factory=dict)

    def close(self) -> None:
        """Unload every device and let the core go (before the interpreter exits)."""
        self.core.unloadAllDevices()
        self.devices.clear()
        gc.collect()


def demo_rig(
    world: DemoWorld | None = None,
    *,
    shape: tuple[int, int] = (64, 64),
    realtime: bool = False,
    stage_speed_um_per_s: float = 0.0,
    switch_s: float = 0.0,
) -> DemoRig:
    """Load the demo devices into a new ``UniMMCore``; moves are instant unless given speeds."""
    world = world if world is not None else DemoWorld()
    devices: dict[str, Any] = {
        "Camera": DemoCamera(world, shape=shape, realtime=realtime),
        "XY": DemoXYStage(world, speed_um_per_s=stage_speed_um_per_s),
        "Z": DemoFocusStage(world, speed_um_per_s=stage_speed_um_per_s),
        "Filter": DemoFilterWheel(world, switch_s=switch_s),
        "Objective": DemoObjectiveTurret(world, switch_s=switch_s),
        "Shutter": DemoShutter(),
    }
    core = UniMMCore()
    for label, device in devices.items():
        core.loadPyDevice(label, device)
        core.initializeDevice(label)
    core.setCameraDevice("Camera")
    core.setXYStageDevice("XY")
    core.setFocusDevice("Z")
    core.setShutterDevice("Shutter")
    define_groups(core)
    return DemoRig(core, world, devices)


def define_groups(core: Any) -> None:
    """Define the ``Channel`` and ``Objective`` groups and the pixel sizes of the demo."""
    for name in FILTERS:
        core.defineConfig("Channel", name, "Filter", "Label", name)
    core.setChannelGroup("Channel")
    for name in OBJECTIVES:
        core.defineConfig("Objective", name, "Objective", "Label", name)
        core.definePixelSizeConfig(f"Res{name}", "Objective", "Label", name)
        core.setPixelSizeUm(f"Res{name}", PIXEL_SIZES_UM[name])

"""``build_microscope``: a loaded core, or a Micro-Manager ``.cfg`` file, as a skyscope microscope.

Every loaded device becomes a skyscope device of its kind (camera, XY stage, stage, state
device, shutter, or a generic one with its properties), every configuration group a movable
of its presets. Roles come from the core (its current camera, XY stage, focus device, shutter
and channel group) unless named; a name that is not loaded, or not of the right kind, is
refused before anything is built. A ``.cfg`` file is loaded into a ``UniMMCore`` (which runs
C++ device adapters and pure-Python ones alike) that the microscope then owns.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...writers import FrameWriter
from ._camera import MMCamera
from ._config_group import MMConfigGroup
from ._device import MMDevice
from ._focus import MMFocusStage
from ._inventory import DeviceEntry, Inventory, read_inventory
from ._link import CoreLink
from ._microscope import MMMicroscope
from ._shutter import MMShutter
from ._state import MMStateDevice
from ._xy_stage import MMXYStage

if TYPE_CHECKING:
    from pymmcore_plus import CMMCorePlus

Range = tuple[float | None, float | None]


async def build_microscope(
    core_or_config: CMMCorePlus | str | os.PathLike[str],
    *,
    name: str = "scope",
    camera: str | None = None,
    xy_stage: str | None = None,
    focus: str | None = None,
    shutter: str | None = None,
    objective: str | None = None,
    channel_group: str | None = None,
    writer: FrameWriter | None = None,
    xy_limits: tuple[Range, Range] = ((None, None), (None, None)),
    focus_limits: Range = (None, None),
    frame_timeout_s: float | None = None,
) -> MMMicroscope:
    """Return the connected microscope of a core (or of a ``.cfg`` file, loaded here).

    ``camera``, ``xy_stage``, ``focus``, ``shutter``, ``objective`` (a state device) and
    ``channel_group`` override the core's choices (the objective is guessed from device labels
    like "Objective" or "Nosepiece"). ``writer`` makes the camera write its own frames (and
    burst); the limits (µm) bound the stages' targets; ``frame_timeout_s`` bounds the wait for
    each frame of a camera sequence.
    """
    owns_core = isinstance(core_or_config, str | os.PathLike)
    link = await CoreLink.new(new_core) if owns_core else CoreLink(core_or_config)
    try:
        if isinstance(core_or_config, str | os.PathLike):
            await link.call(load_configuration, link.core, Path(core_or_config))
        inventory = await link.call(read_inventory, link.core)
        roles = _roles(inventory, camera, xy_stage, focus, shutter, objective)
        group = inventory.group(channel_group)
        parts = _Parts(link, inventory, writer, xy_limits, focus_limits, frame_timeout_s)
        scope = MMMicroscope(
            link,
            camera=parts.make(roles["camera"], parts.camera),
            xy=parts.make(roles["xy"], parts.xy_stage),
            focus=parts.make(roles["focus"], parts.focus),
            filter_wheel=parts.group(group),
            objective=parts.make(roles["objective"], parts.state),
            shutter=parts.make(roles["shutter"], parts.shutter),
            devices=parts.others(set(roles.values())),
            groups=parts.groups_besides(group),
            name=name,
            owns_core=owns_core,
        )
        await scope.connect()
    except BaseException:
        if owns_core:
            await link.call(link.core.unloadAllDevices)
        link.close()
        raise
    return scope


def new_core() -> Any:
    """Return a new ``UniMMCore`` (C++ adapters and Python devices alike)."""
    from pymmcore_plus.experimental.unicore import UniMMCore

    return UniMMCore()


def load_configuration(core: Any, path: Path) -> None:
    """Load the Micro-Manager configuration file ``path`` into ``core`` (on the worker)."""
    if not path.is_file():
        raise FileNotFoundError(f"no Micro-Manager configuration file at {path}")
    core.loadSystemConfiguration(str(path))


def _roles(
    inventory: Inventory,
    camera: str | None,
    xy_stage: str | None,
    focus: str | None,
    shutter: str | None,
    objective: str | None,
) -> dict[str, str | None]:
    guessed = objective if objective is not None else next(iter(inventory.objectives), None)
    return {
        "camera": inventory.pick("camera", camera, "camera"),
        "xy": inventory.pick("xy", xy_stage, "XY stage"),
        "focus": inventory.pick("focus", focus, "stage"),
        "shutter": inventory.pick("shutter", shutter, "shutter"),
        "objective": inventory.pick("objective", guessed, "state device"),
    }


class _Parts:
    """Makes the skyscope device of each inventory entry."""

    def __init__(
        self,
        link: CoreLink,
        inventory: Inventory,
        writer: FrameWriter | None,
        xy_limits: tuple[Range, Range],
        focus_limits: Range,
        frame_timeout_s: float | None,
    ) -> None:
        self.link, self.inventory, self.writer = link, inventory, writer
        self.xy_limits, self.focus_limits = xy_limits, focus_limits
        self.frame_timeout_s = frame_timeout_s

    def make(self, label: str | None, factory: Callable[[DeviceEntry], Any]) -> Any:
        return None if label is None else factory(self.inventory.devices[label])

    def camera(self, entry: DeviceEntry) -> MMCamera:
        return MMCamera(self.link, entry.label, entry.properties, writer=self.writer,
                        frame_timeout_s=self.frame_timeout_s)  # fmt: skip

    def xy_stage(self, entry: DeviceEntry) -> MMXYStage:
        return MMXYStage(self.link, entry.label, entry.properties, limits=self.xy_limits)

    def focus(self, entry: DeviceEntry) -> MMFocusStage:
        return MMFocusStage(self.link, entry.label, entry.properties, limits=self.focus_limits)

    def stage(self, entry: DeviceEntry) -> MMFocusStage:
        return MMFocusStage(self.link, entry.label, entry.properties)

    def state(self, entry: DeviceEntry) -> MMStateDevice:
        return MMStateDevice(self.link, entry.label, entry.properties, positions=entry.states)

    def shutter(self, entry: DeviceEntry) -> MMShutter:
        return MMShutter(self.link, entry.label, entry.properties)

    def generic(self, entry: DeviceEntry) -> MMDevice:
        return MMDevice(self.link, entry.label, entry.properties)

    def group(self, name: str | None) -> MMConfigGroup | None:
        if name is None:
            return None
        return MMConfigGroup(self.link, name, self.inventory.groups[name])

    def groups_besides(self, channel_group: str | None) -> dict[str, MMConfigGroup]:
        """Every configuration group but the channel group (the filter wheel)."""
        groups = self.inventory.groups
        return {g: MMConfigGroup(self.link, g, groups[g]) for g in groups if g != channel_group}

    def others(self, taken: set[str | None]) -> dict[str, MMDevice]:
        """Every device without a role: a second camera the way a camera is, and so on."""
        factories: dict[str, Callable[[DeviceEntry], MMDevice]] = {
            "camera": lambda e: MMCamera(self.link, e.label, e.properties),
            "XY stage": lambda e: MMXYStage(self.link, e.label, e.properties),
            "stage": self.stage,
            "state device": self.state,
            "shutter": self.shutter,
        }
        return {
            label: factories.get(entry.kind, self.generic)(entry)
            for label, entry in self.inventory.devices.items()
            if label not in taken
        }

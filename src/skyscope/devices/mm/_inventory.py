"""What a loaded core holds: its devices by type, their properties, groups and current roles.

Read in one go on the worker thread before any skyscope device is built, so the builder works
from a plain description and every bad name is refused up front, naming what there is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._config_group import read_presets
from ._link import loaded_labels
from ._property_info import PropertyInfo, read_device_properties
from ._state import read_state_labels

KINDS = {
    "CameraDevice": "camera",
    "XYStageDevice": "XY stage",
    "StageDevice": "stage",
    "StateDevice": "state device",
    "ShutterDevice": "shutter",
}
"""pymmcore-plus ``DeviceType`` names and what skyscope calls them (others: "device")."""


@dataclass(frozen=True)
class DeviceEntry:
    """One loaded device: its kind, its properties and (state devices) its state labels."""

    label: str
    kind: str
    properties: tuple[PropertyInfo, ...]
    states: tuple[str, ...] = ()


@dataclass
class Inventory:
    """The devices, configuration groups and current devices of a core."""

    devices: dict[str, DeviceEntry] = field(default_factory=dict)
    groups: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    current: dict[str, str] = field(default_factory=dict)
    """The core's current ``camera``, ``xy``, ``focus``, ``shutter`` and ``channel_group``."""
    objectives: tuple[str, ...] = ()
    """State devices whose labels look like an objective turret (pymmcore-plus's guess)."""

    def pick(self, role: str, label: str | None, kind: str) -> str | None:
        """Return the device for ``role``: ``label`` if given (checked), else the core's current."""
        chosen = label if label is not None else self.current.get(role) or None
        if chosen is None:
            return None
        entry = self.devices.get(chosen)
        if entry is None:
            raise KeyError(
                f"no Micro-Manager device labelled {chosen!r} is loaded (asked for as the "
                f"{role}); loaded: {sorted(self.devices)}"
            )
        if entry.kind != kind:
            raise TypeError(f"{chosen!r} is a {entry.kind}, not a {kind} (asked for as the {role})")
        return chosen

    def group(self, name: str | None) -> str | None:
        """Return the channel group: ``name`` if given (checked), else the core's."""
        chosen = name if name is not None else self.current.get("channel_group") or None
        if chosen is not None and chosen not in self.groups:
            raise KeyError(
                f"no configuration group {chosen!r} is defined; groups: {sorted(self.groups)}"
            )
        return chosen


def read_inventory(core: Any) -> Inventory:
    """Describe everything loaded in ``core`` (on the worker thread)."""
    inventory = Inventory()
    for label in loaded_labels(core):
        inventory.devices[label] = _entry(core, label)
    for group in core.getAvailableConfigGroups():
        inventory.groups[str(group)] = read_presets(core, str(group))
    inventory.current = {
        "camera": str(core.getCameraDevice()),
        "xy": str(core.getXYStageDevice()),
        "focus": str(core.getFocusDevice()),
        "shutter": str(core.getShutterDevice()),
        "channel_group": str(core.getChannelGroup()),
    }
    guess = getattr(core, "guessObjectiveDevices", None)
    inventory.objectives = tuple(str(label) for label in guess()) if guess else ()
    return inventory


def _entry(core: Any, label: str) -> DeviceEntry:
    kind = KINDS.get(getattr(core.getDeviceType(label), "name", ""), "device")
    states = read_state_labels(core, label) if kind == "state device" else ()
    return DeviceEntry(label, kind, read_device_properties(core, label), states)

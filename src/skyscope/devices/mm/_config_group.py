"""``MMConfigGroup``: a Micro-Manager configuration group, movable to one of its presets.

``channels.set("DAPI")`` applies the preset (every device property it names) and is done once
those devices are idle; a preset the group does not have is refused before anything changes,
naming the presets there are. This is how useq's ``Channel(group=..., config=...)`` is applied.
``preset`` (hinted) reads the current preset and hears the core's ``configSet`` events.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from .._protocols import Location
from .._readable import Kind, StandardReadable
from .._signal import SignalR
from .._status import Status, describe_action
from ._backend import CoreSignalBackend, CoreValue
from ._link import CoreLink


class MMConfigGroup(StandardReadable):
    """A configuration group: its presets are its ``positions``."""

    def __init__(
        self,
        link: CoreLink,
        group: str,
        presets: dict[str, tuple[str, ...]],
        name: str = "",
    ) -> None:
        """Apply presets of ``group``; ``presets`` maps each preset to the devices it sets."""
        self._link = link
        self.group = group
        self._devices = dict(presets)
        with self.add_children_as_readables(Kind.HINTED):
            self.preset = SignalR(CoreSignalBackend(link, _current_preset(group)))
        self._asked: str | None = None
        self.after_change: list[Callable[[], Awaitable[Any]]] = []
        """Awaited after each preset is applied (the microscope re-reads its pixel size)."""
        super().__init__(name)

    @property
    def positions(self) -> tuple[str, ...]:
        """The presets of the group."""
        return tuple(self._devices)

    def check_preset(self, preset: str) -> str:
        """Return ``preset`` if the group has it; else raise naming the presets it has."""
        if not isinstance(preset, str) or preset not in self._devices:
            raise ValueError(
                f"{preset!r} is not a preset of configuration group {self.group!r}: "
                f"{list(self._devices)}"
            )
        return preset

    def set(self, value: str, timeout: float | None = None) -> Status[None]:
        """Apply the preset ``value``; done once the devices it sets are idle."""
        action = describe_action("set", value)
        try:
            preset = self.check_preset(value)
        except ValueError as error:
            return Status.failed(error, name=self.name, action=action)
        return Status(self._apply(preset), name=self.name, action=action, timeout=timeout)

    async def _apply(self, preset: str) -> None:
        self._asked = preset
        await self._link.call(self._link.core.setConfig, self.group, preset)
        await self._link.wait_idle(self._devices[preset])
        for hook in self.after_change:
            await hook()

    async def locate(self) -> Location[str]:
        """Return the preset asked for (the current one, if none) and the current preset."""
        current = await self.preset.get_value()
        return {"setpoint": self._asked or current, "readback": current}

    def __repr__(self) -> str:
        """Show the class, the name and the group."""
        return f"<{type(self).__name__} {self.name or '(unnamed)'} group={self.group!r}>"


def _current_preset(group: str) -> CoreValue[str]:
    return CoreValue(
        datatype=str,
        source=f"mm://Core/{group}",
        read=lambda core: core.getCurrentConfig(group),
        convert=str,
        topic=("config", group),
    )


def read_presets(core: Any, group: str) -> dict[str, tuple[str, ...]]:
    """Return ``{preset: devices it sets}`` for ``group`` (on the worker thread)."""
    presets: dict[str, tuple[str, ...]] = {}
    for preset in core.getAvailableConfigs(group):
        settings = core.getConfigData(group, preset)
        presets[str(preset)] = tuple(dict.fromkeys(str(s[0]) for s in settings if s[0] != "Core"))
    return presets

"""``MMShutter``: a Micro-Manager shutter, movable to ``"open"`` or ``"closed"``.

``set("open")`` (or ``True``), ``open()`` and ``close()`` are done once the shutter is idle;
``is_open`` (hinted) reads its state and hears the core's ``State`` property changes;
``auto_shutter`` is the core's auto-shutter switch (on: the core opens the shutter for each
snap and closes it after), which a plan holding the shutter open turns off.
"""

from __future__ import annotations

from .._protocols import Location
from .._readable import Kind
from .._signal import SignalR, SignalRW
from .._status import Status, describe_action
from ._backend import CoreSignalBackend, CoreValue
from ._device import MMDevice
from ._link import CoreLink
from ._property_info import PropertyInfo, to_python

POSITIONS = ("closed", "open")


class MMShutter(MMDevice):
    """A shutter: positions ``"closed"`` and ``"open"``."""

    device_kind = "shutter"
    positions = POSITIONS

    def __init__(
        self, link: CoreLink, label: str, properties: tuple[PropertyInfo, ...] = (), name: str = ""
    ) -> None:
        """Drive the shutter ``label``."""
        with self.add_children_as_readables(Kind.HINTED):
            self.is_open = SignalR(CoreSignalBackend(link, _open_state(label)))
        self.auto_shutter = SignalRW(CoreSignalBackend(link, _AUTO_SHUTTER))
        self._asked: str | None = None
        super().__init__(link, label, properties, name)

    def set(self, value: str | bool, timeout: float | None = None) -> Status[None]:
        """Open (``"open"``, ``True``) or close (``"closed"``, ``False``); done once idle."""
        action = describe_action("set", value)
        if isinstance(value, bool):
            value = POSITIONS[value]
        if value not in POSITIONS:
            error = ValueError(f"shutter {self.label!r} is 'open' or 'closed', not {value!r}")
            return Status.failed(error, name=self.name, action=action)
        return Status(self._move(value), name=self.name, action=action, timeout=timeout)

    def open(self) -> Status[None]:
        """Open the shutter."""
        return self.set("open")

    def close(self) -> Status[None]:
        """Close the shutter."""
        return self.set("closed")

    async def _move(self, position: str) -> None:
        self._asked = position
        await self.link.call(self.link.core.setShutterOpen, self.label, position == "open")
        await self.link.wait_idle((self.label,))

    async def locate(self) -> Location[str]:
        """Return the position asked for (the current one, if none) and the current one."""
        current = POSITIONS[await self.is_open.get_value()]
        return {"setpoint": self._asked or current, "readback": current}


_AUTO_SHUTTER = CoreValue(
    datatype=bool,
    source="mm://core/AutoShutter",
    read=lambda core: core.getAutoShutter(),
    convert=bool,
    write=lambda core, on: core.setAutoShutter(bool(on)),
)


def _open_state(label: str) -> CoreValue[bool]:
    return CoreValue(
        datatype=bool,
        source=f"mm://{label}/open",
        read=lambda core: core.getShutterOpen(label),
        convert=lambda raw: bool(to_python(bool, raw)),
        topic=("property", label, "State"),
    )

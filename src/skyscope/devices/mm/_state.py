"""``MMStateDevice``: a Micro-Manager state device (filter wheel, turret, light path) by label.

Its ``positions`` are the state labels (``"DAPI"``, ``"10x"``…); ``set`` takes a label or a
state number, refuses one the device does not have before anything moves, and is done when the
device is no longer busy. ``position`` (hinted) reads the current label and hears the core's
``Label`` property changes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from .._protocols import Location
from .._readable import Kind
from .._signal import SignalR
from .._status import Status, describe_action
from ._backend import CoreSignalBackend, CoreValue
from ._device import MMDevice
from ._link import CoreLink
from ._property_info import PropertyInfo


class MMStateDevice(MMDevice):
    """A device with numbered states, each with a label; movable to a label (or number)."""

    device_kind = "state device"

    def __init__(
        self,
        link: CoreLink,
        label: str,
        properties: tuple[PropertyInfo, ...] = (),
        name: str = "",
        *,
        positions: tuple[str, ...],
    ) -> None:
        """Drive the state device ``label``; ``positions`` are its state labels, in state order."""
        if not positions:
            raise ValueError(f"state device {label!r} has no states")
        self.positions = tuple(positions)
        with self.add_children_as_readables(Kind.HINTED):
            self.position = SignalR(CoreSignalBackend(link, _current_label(label, self.positions)))
        self._asked: str | None = None
        self.after_change: list[Callable[[], Awaitable[Any]]] = []
        """Awaited after each switch (the microscope re-reads its pixel size here)."""
        super().__init__(link, label, properties, name)

    def index_of(self, value: str | int) -> int:
        """Return the state number of a label or number; raise naming the labels if unknown."""
        if isinstance(value, int) and not isinstance(value, bool):
            if 0 <= value < len(self.positions):
                return value
        elif isinstance(value, str) and value in self.positions:
            return self.positions.index(value)
        raise ValueError(
            f"{value!r} is not a position of {self.device_kind} {self.label!r}: "
            f"{list(self.positions)}"
        )

    def set(self, value: str | int, timeout: float | None = None) -> Status[None]:
        """Switch to a label (or state number); done once the device is idle."""
        action = describe_action("set", value)
        try:
            state = self.index_of(value)
        except ValueError as error:
            return Status.failed(error, name=self.name, action=action)
        return Status(self._switch(state), name=self.name, action=action, timeout=timeout)

    async def _switch(self, state: int) -> None:
        self._asked = self.positions[state]
        await self.link.call(self.link.core.setState, self.label, state)
        await self.link.wait_idle((self.label,))
        for hook in self.after_change:
            await hook()

    async def locate(self) -> Location[str]:
        """Return the label asked for (the current one, if none) and the current label."""
        current = await self.position.get_value()
        return {"setpoint": self._asked or current, "readback": current}


def _current_label(label: str, positions: tuple[str, ...]) -> CoreValue[str]:
    return CoreValue(
        datatype=str,
        source=f"mm://{label}/Label",
        read=lambda core: core.getStateLabel(label),
        convert=str,
        topic=("property", label, "Label"),
        choices=positions,
    )


def read_state_labels(core: Any, label: str) -> tuple[str, ...]:
    """Return the state labels of ``label`` in state order (on the worker thread)."""
    return tuple(str(name) for name in core.getStateLabels(label))

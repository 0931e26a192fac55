"""Devices with named positions: the objective turret, the filter wheel and the shutter.

Each is ``Movable`` to a position name (or its number), takes time to switch (per slot passed,
for wheels), refuses an unknown position before anything moves, and tells the microscope model
its new position once it is there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from .. import Kind, Location, StandardReadable, Status, soft_signal_r_and_setter, soft_signal_rw
from ._optics import Channel, Objective

IndexCallback = Callable[[int], None]
"""Told the number of each new position (how the model follows the device)."""


class PositionSelector(StandardReadable):
    """A device that switches between named positions, ``switch_time`` seconds per slot."""

    def __init__(
        self,
        name: str = "",
        *,
        positions: Sequence[str],
        initial: int = 0,
        switch_time: float = 0.1,
        per_slot: bool = True,
        on_change: IndexCallback | None = None,
    ) -> None:
        """Make a selector at ``positions[initial]``; ``on_change`` hears each new position."""
        if not positions or len(set(positions)) != len(positions):
            raise ValueError(f"positions must be unique names, got {list(positions)}")
        if not 0 <= initial < len(positions):
            raise ValueError(f"initial position {initial} is not in 0..{len(positions) - 1}")
        self.positions = tuple(positions)
        with self.add_children_as_readables(Kind.HINTED):
            self.position, self._set_position = soft_signal_r_and_setter(
                str, self.positions[initial], choices=self.positions
            )
        with self.add_children_as_readables(Kind.CONFIG):
            self.switch_time = soft_signal_rw(float, switch_time, units="s", limits=(0, None))
        self.moving, self._set_moving = soft_signal_r_and_setter(bool, False)
        self._per_slot = per_slot
        self._target = self.positions[initial]
        super().__init__(name)
        if on_change is not None:
            self.position.subscribe_value(lambda value: on_change(self.positions.index(value)))

    def index_of(self, value: str | int) -> int:
        """Return the number of a position given by name or number; raise if there is none."""
        if isinstance(value, int) and not isinstance(value, bool):
            if 0 <= value < len(self.positions):
                return value
        elif isinstance(value, str) and value in self.positions:
            return self.positions.index(value)
        raise ValueError(f"{value!r} is not a position of {self.name}: {list(self.positions)}")

    def set(self, value: str | int, timeout: float | None = None) -> Status[None]:
        """Switch to a position (name or number); done once there."""
        action = f"set({value!r})"
        try:
            target = self.index_of(value)
        except ValueError as error:
            return Status.failed(error, name=self.name, action=action)
        return Status(self._switch(target), name=self.name, action=action, timeout=timeout)

    async def _switch(self, target: int) -> None:
        current = self.positions.index(await self.position.get_value())
        self._target = self.positions[target]
        slots = abs(target - current)
        if not self._per_slot:
            slots = min(slots, 1)
        if slots:
            self._set_moving(True)
            try:
                await asyncio.sleep(slots * await self.switch_time.get_value())
            finally:
                self._set_moving(False)
        self._set_position(self.positions[target])

    async def locate(self) -> Location[str]:
        """Return the position asked for and the one reached."""
        return {"setpoint": self._target, "readback": await self.position.get_value()}


class ObjectiveTurret(PositionSelector):
    """The nosepiece: one objective per position; switching takes 0.5 s per slot."""

    def __init__(
        self,
        name: str = "",
        *,
        objectives: Sequence[Objective],
        initial: int = 0,
        on_change: IndexCallback | None = None,
    ) -> None:
        """Make a turret holding ``objectives``."""
        self.objectives = tuple(objectives)
        names = [objective.name for objective in self.objectives]
        super().__init__(
            name, positions=names, initial=initial, switch_time=0.5, on_change=on_change
        )


class FilterWheel(PositionSelector):
    """The filter wheel: one fluorescence channel (filter cube) per position, 50 ms per slot."""

    def __init__(
        self,
        name: str = "",
        *,
        channels: Sequence[Channel],
        initial: int = 0,
        on_change: IndexCallback | None = None,
    ) -> None:
        """Make a wheel holding ``channels``."""
        self.channels = tuple(channels)
        names = [channel.name for channel in self.channels]
        super().__init__(
            name, positions=names, initial=initial, switch_time=0.05, on_change=on_change
        )


class Shutter(PositionSelector):
    """The excitation shutter: ``"closed"`` or ``"open"``, 10 ms to switch."""

    def __init__(
        self, name: str = "", *, is_open: bool = True, on_change: IndexCallback | None = None
    ) -> None:
        """Make a shutter, open or closed."""
        super().__init__(
            name,
            positions=("closed", "open"),
            initial=int(is_open),
            switch_time=0.01,
            per_slot=False,
            on_change=on_change,
        )

    def open(self) -> Status[None]:
        """Open the shutter."""
        return self.set("open")

    def close(self) -> Status[None]:
        """Close the shutter."""
        return self.set("closed")

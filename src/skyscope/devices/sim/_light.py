"""The excitation light source: on/off and power in percent."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from .. import Kind, LimitsError, Location, StandardReadable, Status, soft_signal_rw

LightCallback = Callable[[bool, float], None]
"""Told (enabled, power %) whenever either changes."""

_RAMP_S = 0.002  # an LED settles within a couple of milliseconds


class LightSource(StandardReadable):
    """An LED/lamp: ``enabled`` (on/off) and ``power`` (0-100 %); ``set(power)`` is Movable."""

    def __init__(
        self,
        name: str = "",
        *,
        power: float = 50.0,
        enabled: bool = True,
        on_change: LightCallback | None = None,
    ) -> None:
        """Make a light source; ``on_change`` hears every change of state."""
        with self.add_children_as_readables(Kind.HINTED):
            self.power = soft_signal_rw(float, power, units="%", precision=1, limits=(0, 100))
        with self.add_children_as_readables(Kind.NORMAL):
            self.enabled = soft_signal_rw(bool, enabled)
        self._state = [enabled, power]
        self._on_change = on_change
        super().__init__(name)
        self.enabled.subscribe_value(lambda value: self._changed(0, value))
        self.power.subscribe_value(lambda value: self._changed(1, value))

    def _changed(self, field: int, value: bool | float) -> None:
        self._state[field] = value
        if self._on_change is not None:
            self._on_change(bool(self._state[0]), float(self._state[1]))

    def set(self, value: float, timeout: float | None = None) -> Status[None]:
        """Set the power (%), switching the source on; refused outside 0-100 before any change."""
        action = f"set({value!r})"
        if isinstance(value, bool) or not isinstance(value, int | float):
            return Status.failed(
                TypeError(f"power must be a number of %, got {value!r}"),
                name=self.name,
                action=action,
            )
        if not 0 <= value <= 100:
            return Status.failed(
                LimitsError(f"power {value}% is outside [0, 100]; unchanged"),
                name=self.name,
                action=action,
            )
        return Status(self._ramp(float(value)), name=self.name, action=action, timeout=timeout)

    async def _ramp(self, value: float) -> None:
        await self.power.set(value)
        await self.enabled.set(True)
        await asyncio.sleep(_RAMP_S)

    async def locate(self) -> Location[float]:
        """Return the power asked for and the power delivered (0 when off)."""
        power = await self.power.get_value()
        on = await self.enabled.get_value()
        return {"setpoint": power, "readback": power if on else 0.0}

    def turn_on(self) -> Status[None]:
        """Switch the light on at the current power."""
        return self.enabled.set(True)

    def turn_off(self) -> Status[None]:
        """Switch the light off."""
        return self.enabled.set(False)

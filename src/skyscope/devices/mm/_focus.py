"""``MMFocusStage``: a Micro-Manager stage (the focus drive, or any Z axis) as a motor.

``set(z)`` refuses a target outside the limits before anything moves, moves on the worker,
reports progress from the core's ``stagePositionChanged`` events and polls, and is done when
the device is no longer busy. ``stop()`` halts the stage (``core.stop``); the move fails saying so.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from .._device import DEFAULT_TIMEOUT
from .._errors import StatusCancelledError
from .._protocols import Location
from .._readable import Kind
from .._signal import SignalR
from .._soft_signals import soft_signal_r_and_setter, soft_signal_rw
from .._status import describe_action
from .._watchable import WatchableStatus, WatcherUpdate
from ._backend import CoreSignalBackend, CoreValue
from ._device import MMDevice
from ._link import CoreLink
from ._motion import Progress, along_line, follow
from ._property_info import PropertyInfo
from ._targets import bound, check_target


class MMFocusStage(MMDevice):
    """A one-axis stage: ``readback`` (hinted, µm), ``setpoint``, limits, ``set``, ``stop``."""

    device_kind = "stage"

    def __init__(
        self,
        link: CoreLink,
        label: str,
        properties: tuple[PropertyInfo, ...] = (),
        name: str = "",
        *,
        limits: tuple[float | None, float | None] = (None, None),
    ) -> None:
        """Drive the stage ``label``; ``limits`` (µm, ``None`` unbounded) bound its targets."""
        with self.add_children_as_readables(Kind.HINTED):
            self.readback = SignalR(CoreSignalBackend(link, _position(label)))
        with self.add_children_as_readables(Kind.NORMAL):
            self.setpoint, self._set_setpoint = soft_signal_r_and_setter(float, 0.0, units="um")
        with self.add_children_as_readables(Kind.CONFIG):
            self.low_limit = soft_signal_rw(float, bound(limits[0], -float("inf")), units="um")
            self.high_limit = soft_signal_rw(float, bound(limits[1], float("inf")), units="um")
        self._move_id = 0
        self._stop_requested = False
        self._asked: float | None = None
        super().__init__(link, label, properties, name)

    def set(self, value: float, timeout: float | None = None) -> WatchableStatus[float]:
        """Move to ``value`` µm: done when the stage is idle; failed if refused or stopped."""
        action = describe_action("set", value)
        self._move_id += 1
        moves = self._travel(value, self._move_id, action)
        return WatchableStatus(moves, name=self.name, action=action, timeout=timeout)

    async def check_value(self, value: float) -> None:
        """Raise ``LimitsError`` (or ``TypeError``) if ``value`` is not an allowed target."""
        check_target(value, await self.low_limit.get_value(), await self.high_limit.get_value(),
                     self.name or self.label)  # fmt: skip

    async def locate(self) -> Location[float]:
        """Return the target last asked for (the position, if none) and the position."""
        position = await self.readback.get_value()
        return {"setpoint": position if self._asked is None else self._asked, "readback": position}

    async def stop(self, success: bool = True) -> None:
        """Halt the stage where it is; a move in progress fails, saying it was stopped."""
        self._stop_requested = True
        await self.link.call(self.link.core.stop, self.label)

    async def connect(self, mock: bool = False, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Connect, and start the setpoint where the stage is."""
        await super().connect(mock=mock, timeout=timeout)
        if not mock:
            self._set_setpoint(await self.readback.get_value())

    async def _travel(
        self, value: Any, move_id: int, action: str
    ) -> AsyncIterator[WatcherUpdate[float]]:
        await self.check_value(value)
        target = float(value)
        self._stop_requested = False
        heard: asyncio.Queue[float] = asyncio.Queue()
        forget = self.link.listen(("stage", self.label), heard.put_nowait)
        try:
            initial, busy = await self.link.call(_start_move, self.link.core, self.label, target)
            self._asked = target
            self._set_setpoint(target)
            progress = Progress(self.name, initial, target, along_line)
            async for position in follow(self._poll, heard, busy):
                yield progress.at(position)
        finally:
            forget()
        final = await self.readback.get_value()
        self._check_arrival(move_id, action, final, target)
        yield progress.at(final, arrived=True)

    async def _poll(self) -> tuple[bool, float]:
        return await self.link.call(_busy_at, self.link.core, self.label)

    def _check_arrival(self, move_id: int, action: str, final: float, target: float) -> None:
        if self._stop_requested:
            reason = f"stopped by stop() at {final:g} µm (target {target:g} µm)"
        elif move_id != self._move_id:
            reason = f"superseded by a later set() at {final:g} µm"
        else:
            return
        raise StatusCancelledError(self.name, action, reason)


def _position(label: str) -> CoreValue[float]:
    return CoreValue(
        datatype=float,
        source=f"mm://{label}/position",
        read=lambda core: core.getPosition(label),
        convert=float,
        topic=("stage", label),
        units="um",
    )


def _start_move(core: Any, label: str, target: float) -> tuple[float, bool]:
    """On the worker: note where the stage is, start the move, say whether it is still busy."""
    initial = float(core.getPosition(label))
    core.setPosition(label, target)
    return initial, bool(core.deviceBusy(label))


def _busy_at(core: Any, label: str) -> tuple[bool, float]:
    return bool(core.deviceBusy(label)), float(core.getPosition(label))

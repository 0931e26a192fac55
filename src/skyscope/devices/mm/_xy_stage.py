"""``MMXYStage``: a Micro-Manager XY stage as one movable, with ``x`` and ``y`` axes.

``set((x, y))`` checks both targets against the axes' limits before anything moves, moves on
the worker, reports the distance travelled (from ``XYStagePositionChanged`` events and polls),
and is done when the stage is idle. ``stage.x.set(v)`` moves one axis, keeping the other where
it was asked to be. ``stop()`` halts the stage and fails the move in progress, saying so.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from .._errors import StatusCancelledError
from .._protocols import Location
from .._readable import Kind, StandardReadable
from .._signal import SignalR
from .._soft_signals import soft_signal_rw
from .._status import describe_action
from .._watchable import WatchableStatus, WatcherUpdate
from ._backend import CoreSignalBackend, CoreValue
from ._device import MMDevice
from ._link import CoreLink
from ._motion import Progress, along_line, follow
from ._property_info import PropertyInfo
from ._targets import bound, check_target

XY = tuple[float, float]
Limits = tuple[float | None, float | None]


class MMXYAxis(StandardReadable):
    """One axis of an XY stage: its ``readback`` (hinted) and limits; ``set`` moves it alone."""

    def __init__(self, link: CoreLink, label: str, index: int, limits: Limits) -> None:
        """Follow axis ``index`` (0 = x, 1 = y) of the XY stage ``label``."""
        with self.add_children_as_readables(Kind.HINTED):
            self.readback = SignalR(CoreSignalBackend(link, _axis_position(label, index)))
        with self.add_children_as_readables(Kind.CONFIG):
            self.low_limit = soft_signal_rw(float, bound(limits[0], -float("inf")), units="um")
            self.high_limit = soft_signal_rw(float, bound(limits[1], float("inf")), units="um")
        self._index = index
        super().__init__()

    async def check_value(self, value: float) -> None:
        """Raise ``LimitsError`` (or ``TypeError``) if ``value`` is not an allowed target."""
        low, high = await self.low_limit.get_value(), await self.high_limit.get_value()
        check_target(value, low, high, self.name or "xy")

    def set(self, value: float, timeout: float | None = None) -> WatchableStatus[float]:
        """Move this axis to ``value`` µm, the other staying where it was asked to be."""
        stage = self.parent
        assert isinstance(stage, MMXYStage), "an XY axis belongs to its XY stage"
        return stage.move_axis(self._index, value, timeout)

    async def locate(self) -> Location[float]:
        """Return this axis's share of the stage's setpoint and readback."""
        stage = self.parent
        assert isinstance(stage, MMXYStage)
        where = await stage.locate()
        return {
            "setpoint": where["setpoint"][self._index],
            "readback": where["readback"][self._index],
        }

    async def stop(self, success: bool = True) -> None:
        """Stop the whole stage (an XY stage stops both axes at once)."""
        stage = self.parent
        assert isinstance(stage, MMXYStage)
        await stage.stop(success)


class MMXYStage(MMDevice):
    """An XY stage: ``x`` and ``y`` axes (µm); ``set((x, y))`` moves both at once."""

    device_kind = "XY stage"

    def __init__(
        self,
        link: CoreLink,
        label: str,
        properties: tuple[PropertyInfo, ...] = (),
        name: str = "",
        *,
        limits: tuple[Limits, Limits] = ((None, None), (None, None)),
    ) -> None:
        """Drive the XY stage ``label``; ``limits`` are ((x low, x high), (y low, y high))."""
        with self.add_children_as_readables(Kind.HINTED):
            self.x = MMXYAxis(link, label, 0, limits[0])
            self.y = MMXYAxis(link, label, 1, limits[1])
        self._move_id = 0
        self._stop_requested = False
        self._asked: XY | None = None
        super().__init__(link, label, properties, name)

    def set(self, value: XY, timeout: float | None = None) -> WatchableStatus[float]:
        """Move to ``(x, y)`` µm: done when the stage is idle; failed if refused or stopped."""
        action = describe_action("set", value)
        self._move_id += 1
        moves = self._travel(value, self._move_id, action)
        return WatchableStatus(moves, name=self.name, action=action, timeout=timeout)

    def move_axis(self, index: int, value: float, timeout: float | None) -> WatchableStatus[float]:
        """Move one axis (0 = x, 1 = y) to ``value``, the other to where it was asked to be."""
        action = describe_action("set", value)
        self._move_id += 1
        moves = self._travel_axis(index, value, self._move_id, action)
        axis = self.y if index else self.x
        return WatchableStatus(moves, name=axis.name, action=action, timeout=timeout)

    async def locate(self) -> Location[XY]:
        """Return the (x, y) last asked for (the position, if none) and the position."""
        position = await self.link.call(_xy, self.link.core, self.label)
        return {"setpoint": self._asked or position, "readback": position}

    async def check_value(self, value: XY) -> None:
        """Raise if ``(x, y)`` is not a pair of allowed targets."""
        x, y = _pair(value)
        await asyncio.gather(self.x.check_value(x), self.y.check_value(y))

    async def stop(self, success: bool = True) -> None:
        """Halt the stage where it is; a move in progress fails, saying it was stopped."""
        self._stop_requested = True
        await self.link.call(self.link.core.stop, self.label)

    async def _travel_axis(
        self, index: int, value: Any, move_id: int, action: str
    ) -> AsyncIterator[WatcherUpdate[float]]:
        where = await self.locate()
        target = list(where["setpoint"])
        target[index] = value
        async for update in self._travel((target[0], target[1]), move_id, action):
            yield update

    async def _travel(
        self, value: Any, move_id: int, action: str
    ) -> AsyncIterator[WatcherUpdate[float]]:
        await self.check_value(value)
        x, y = _pair(value)
        target = (float(x), float(y))
        self._stop_requested = False
        heard: asyncio.Queue[XY] = asyncio.Queue()
        forget = self.link.listen(("xy", self.label), heard.put_nowait)
        try:
            initial, busy = await self.link.call(_start_move, self.link.core, self.label, target)
            self._asked = target
            progress = Progress(self.name, initial, target, along_line)
            async for position in follow(self._poll, heard, busy):
                yield progress.at(position)
        finally:
            forget()
        final = await self.link.call(_xy, self.link.core, self.label)
        self._check_arrival(move_id, action, final, target)
        yield progress.at(final, arrived=True)

    async def _poll(self) -> tuple[bool, XY]:
        return await self.link.call(_busy_at, self.link.core, self.label)

    def _check_arrival(self, move_id: int, action: str, final: XY, target: XY) -> None:
        at = f"at ({final[0]:g}, {final[1]:g}) µm"
        if self._stop_requested:
            reason = f"stopped by stop() {at} (target ({target[0]:g}, {target[1]:g}) µm)"
        elif move_id != self._move_id:
            reason = f"superseded by a later set() {at}"
        else:
            return
        raise StatusCancelledError(self.name, action, reason)


def _pair(value: Any) -> XY:
    try:
        x, y = value
    except (TypeError, ValueError):
        raise TypeError(f"an XY target is a pair (x, y) of µm, got {value!r}") from None
    return x, y


def _axis_position(label: str, index: int) -> CoreValue[float]:
    return CoreValue(
        datatype=float,
        source=f"mm://{label}/{'xy'[index]}",
        read=lambda core: core.getXYPosition(label),
        convert=lambda pair: float(pair[index]),
        topic=("xy", label),
        units="um",
    )


def _xy(core: Any, label: str) -> XY:
    x, y = core.getXYPosition(label)
    return float(x), float(y)


def _start_move(core: Any, label: str, target: XY) -> tuple[XY, bool]:
    """On the worker: note where the stage is, start the move, say whether it is still busy."""
    initial = _xy(core, label)
    core.setXYPosition(label, float(target[0]), float(target[1]))
    return initial, bool(core.deviceBusy(label))


def _busy_at(core: Any, label: str) -> tuple[bool, XY]:
    return bool(core.deviceBusy(label)), _xy(core, label)

"""Motorised axes of the simulated microscope: a settling motor, the XY stage and the focus drive.

Each axis is a ``SoftMotor`` (limits, velocity, acceleration, progress, stop) that also waits a
settle time after arriving, and reports its readback to the microscope model as it travels, so
a frame taken mid-move shows the sample where the stage is at that moment.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import AsyncIterator, Callable

from .. import (
    Kind,
    Location,
    SoftMotor,
    StandardReadable,
    StatusFailedError,
    WatchableStatus,
    WatcherUpdate,
    soft_signal_rw,
)

PositionCallback = Callable[[float], None]
"""Told each new readback of an axis (how the model follows the hardware)."""


class SimAxis(SoftMotor):
    """A ``SoftMotor`` that settles for ``settle_time`` seconds after each move."""

    def __init__(
        self,
        name: str = "",
        *,
        position: float = 0.0,
        velocity: float = 1000.0,
        acceleration: float = 10000.0,
        settle_time: float = 0.0,
        units: str = "um",
        precision: int = 3,
        limits: tuple[float | None, float | None] = (None, None),
        on_position: PositionCallback | None = None,
    ) -> None:
        """Make an axis; ``on_position`` is called with every readback (and the initial one)."""
        super().__init__(
            name,
            position=position,
            velocity=velocity,
            acceleration=acceleration,
            units=units,
            precision=precision,
            limits=limits,
        )
        with self.add_children_as_readables(Kind.CONFIG):
            self.settle_time = soft_signal_rw(float, settle_time, units="s", limits=(0, None))
        self._settling: WatchableStatus[float] | None = None
        if on_position is not None:
            self.readback.subscribe_value(on_position)

    def set(self, value: float, timeout: float | None = None) -> WatchableStatus[float]:
        """Move to ``value`` and settle; done when settled, failed if refused or stopped."""
        move = super().set(value, timeout)
        settle = self.settle_time._soft_backend()
        if (move.done and not move.success) or settle is None or settle.value <= 0:
            return move
        action = f"set({value!r})"
        self._settling = WatchableStatus(
            _settle(move, settle.value), name=self.name, action=action, timeout=timeout
        )
        return self._settling

    async def stop(self, success: bool = True) -> None:
        """Halt now: a move in progress, or one still settling, fails saying it was stopped."""
        settling = self._settling
        await super().stop(success)
        if settling is not None and not settling.done:
            settling.cancel("stopped by stop() while settling")
            with contextlib.suppress(StatusFailedError):
                await settling


async def _settle(
    move: WatchableStatus[float], settle_s: float
) -> AsyncIterator[WatcherUpdate[float]]:
    """Pass on the move's progress, then wait ``settle_s`` before reporting arrival."""
    changed = asyncio.Event()
    move.watch(lambda **_: changed.set())
    move.add_callback(lambda _: changed.set())
    try:
        while not move.done:
            await changed.wait()
            changed.clear()
            if move.last_update is not None and not move.done:
                yield move.last_update
        await move
        await asyncio.sleep(settle_s)
    except asyncio.CancelledError:
        move.cancel("the settling move was cancelled")
        raise
    last = move.last_update
    if last is not None:
        yield last


class FocusDrive(SimAxis):
    """The Z drive moving the objective: µm, 10 mm of travel, 1 mm/s, 10 ms settle."""

    def __init__(
        self,
        name: str = "",
        *,
        position: float = 2500.0,
        limits: tuple[float | None, float | None] = (0.0, 10000.0),
        on_position: PositionCallback | None = None,
    ) -> None:
        """Make a focus drive at ``position`` (µm)."""
        super().__init__(
            name,
            position=position,
            velocity=1000.0,
            acceleration=20000.0,
            settle_time=0.01,
            limits=limits,
            on_position=on_position,
        )


XY = tuple[float, float]


class XYStage(StandardReadable):
    """The motorised XY stage: ``x`` and ``y`` axes in µm; ``set((x, y))`` moves both at once."""

    def __init__(
        self,
        name: str = "",
        *,
        position: XY = (0.0, 0.0),
        limits: tuple[XY, XY] = ((-2500.0, 2500.0), (-2500.0, 2500.0)),
        velocity: float = 10000.0,
        acceleration: float = 50000.0,
        settle_time: float = 0.02,
        on_position: Callable[[float, float], None] | None = None,
    ) -> None:
        """Make a stage at ``position``; ``limits`` are ((x low, x high), (y low, y high))."""
        self._position = list(position)
        with self.add_children_as_readables(Kind.HINTED):
            self.x = self._axis(0, position, limits, velocity, acceleration, settle_time)
            self.y = self._axis(1, position, limits, velocity, acceleration, settle_time)
        self._on_position = on_position
        super().__init__(name)
        self._report()

    def _axis(
        self,
        index: int,
        position: XY,
        limits: tuple[XY, XY],
        velocity: float,
        acceleration: float,
        settle_time: float,
    ) -> SimAxis:
        def follow(value: float) -> None:
            self._position[index] = value
            self._report()

        return SimAxis(
            position=position[index],
            velocity=velocity,
            acceleration=acceleration,
            settle_time=settle_time,
            limits=limits[index],
            on_position=follow,
        )

    def _report(self) -> None:
        callback = getattr(self, "_on_position", None)
        if callback is not None:
            callback(self._position[0], self._position[1])

    def set(self, value: XY, timeout: float | None = None) -> WatchableStatus[float]:
        """Move both axes to ``(x, y)``; progress is the fraction of the slower axis's move."""
        action = f"set({value!r})"
        try:
            x, y = (float(v) for v in value)
        except (TypeError, ValueError) as error:
            return WatchableStatus.failed(
                TypeError(f"target must be (x, y) in µm, got {value!r}: {error}"),
                name=self.name,
                action=action,
            )
        return WatchableStatus(
            self._move_both(x, y), name=self.name, action=action, timeout=timeout
        )

    async def _move_both(self, x: float, y: float) -> AsyncIterator[WatcherUpdate[float]]:
        await asyncio.gather(self.x.check_value(x), self.y.check_value(y))
        start = (self._position[0], self._position[1])
        distance = math.hypot(x - start[0], y - start[1])
        moves = [self.x.set(x), self.y.set(y)]
        changed = asyncio.Event()
        for move in moves:
            move.watch(lambda **_: changed.set())
            move.add_callback(lambda _: changed.set())
        try:
            while not all(m.done for m in moves):
                await changed.wait()
                changed.clear()
                yield self._progress(start, (x, y), distance)
            for move in moves:
                await move
        except asyncio.CancelledError:
            for move in moves:
                move.cancel("the XY move was cancelled")
            raise
        yield self._progress(start, (x, y), distance)

    def _progress(self, start: XY, target: XY, distance: float) -> WatcherUpdate[float]:
        """Report the distance travelled so far along the straight line to the target."""
        left = math.hypot(target[0] - self._position[0], target[1] - self._position[1])
        done = distance - left
        fraction = 1.0 if distance == 0 else max(0.0, min(1.0, done / distance))
        return WatcherUpdate(
            current=done, initial=0.0, target=distance, unit="um", fraction=fraction
        )

    async def locate(self) -> Location[XY]:
        """Return where the stage was asked to go and where it is, as (x, y) pairs."""
        x, y = await asyncio.gather(self.x.locate(), self.y.locate())
        return {
            "setpoint": (x["setpoint"], y["setpoint"]),
            "readback": (x["readback"], y["readback"]),
        }

    async def stop(self, success: bool = True) -> None:
        """Halt both axes where they are."""
        await asyncio.gather(self.x.stop(success), self.y.stop(success))

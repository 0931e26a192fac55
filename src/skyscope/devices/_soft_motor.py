"""``SoftMotor``: a motor simulated in software, moving in real time at its velocity.

It behaves like a real axis to the engine: ``set`` refuses a target outside the limits before
anything moves, reports progress while the readback travels (``watch``), and ``stop`` halts it
where it is, failing the move's status with the reason. Velocity 0 or infinite moves instantly,
with no task at all, which keeps benchmark scans cheap.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import math
import numbers
import time
from collections.abc import AsyncIterator
from typing import Any

from ._errors import LimitsError, StatusFailedError
from ._profile import MoveProfile
from ._protocols import Location
from ._readable import Kind, StandardReadable
from ._soft_signals import soft_signal_r_and_setter, soft_signal_rw
from ._status import describe_action
from ._watchable import WatchableStatus, WatcherUpdate

_UPDATE_PERIOD_S = 0.02


class SoftMotor(StandardReadable):
    """A simulated axis: ``readback`` (hinted), ``setpoint``, velocity, acceleration, limits."""

    def __init__(
        self,
        name: str = "",
        *,
        position: float = 0.0,
        velocity: float = 1.0,
        acceleration: float = math.inf,
        units: str = "mm",
        precision: int = 3,
        limits: tuple[float | None, float | None] = (None, None),
    ) -> None:
        """Make an axis at ``position``; ``limits`` of ``None`` are unbounded."""
        with self.add_children_as_readables(Kind.HINTED):
            self.readback, self._set_readback = soft_signal_r_and_setter(
                float, position, units=units, precision=precision
            )
        with self.add_children_as_readables(Kind.NORMAL):
            self.setpoint = soft_signal_rw(float, position, units=units, precision=precision)
        with self.add_children_as_readables(Kind.CONFIG):
            self.velocity = soft_signal_rw(float, velocity, units=f"{units}/s")
            self.acceleration = soft_signal_rw(float, acceleration, units=f"{units}/s^2")
            self.units = soft_signal_rw(str, units)
            self.low_limit = soft_signal_rw(float, _bound(limits[0], -math.inf), units=units)
            self.high_limit = soft_signal_rw(float, _bound(limits[1], math.inf), units=units)
        self.moving, self._set_moving = soft_signal_r_and_setter(bool, False)
        self._precision = precision
        self._units = units
        self._move_id = 0
        self._move: WatchableStatus[float] | None = None
        super().__init__(name)

    def set(self, value: float, timeout: float | None = None) -> WatchableStatus[float]:
        """Move to ``value``; done on arrival, failed if refused (limits), stopped or timed out."""
        instant = self._move_instantly(value)
        if instant is not None:
            return instant
        action = describe_action("set", value)
        move = self._travel(value, self._move, action)
        self._move = WatchableStatus(move, name=self.name, action=action, timeout=timeout)
        return self._move

    async def stop(self, success: bool = True) -> None:
        """Halt where the axis is now; a move in progress fails, saying it was stopped."""
        move = self._move
        if move is None or move.done:
            return
        move.cancel(f"stopped by stop() before reaching {self._target_of(move)}")
        await _ended(move)
        await self.setpoint.set(await self.readback.get_value())

    async def locate(self) -> Location[float]:
        """Return the setpoint asked for and the readback reached."""
        setpoint = await self.setpoint.get_value()
        return {"setpoint": setpoint, "readback": await self.readback.get_value()}

    async def check_value(self, value: float) -> None:
        """Raise ``LimitsError`` (or ``TypeError``) if ``value`` is not an allowed target."""
        low, high = await self.low_limit.get_value(), await self.high_limit.get_value()
        self._check_target(value, low, high)

    def _check_target(self, value: Any, low: float, high: float) -> float:
        usual = type(value) is float or type(value) is int  # skips the slower ABC check
        if not usual and (isinstance(value, bool) or not isinstance(value, numbers.Real)):
            raise TypeError(f"target must be a number, got {value!r} ({type(value).__name__})")
        target = float(value)
        if not low <= target <= high:
            raise LimitsError(f"target {target} is outside the limits [{low}, {high}]; not moving")
        return target

    def _move_instantly(self, value: Any) -> WatchableStatus[float] | None:
        """Finish the move synchronously when it takes no time and every value is soft."""
        velocity = self.velocity._soft_backend()
        if velocity is None or velocity.value not in (0.0, math.inf):
            return None
        setpoint, readback = self.setpoint._soft_backend(), self.readback._soft_backend()
        low, high = self.low_limit._soft_backend(), self.high_limit._soft_backend()
        if setpoint is None or readback is None or low is None or high is None:
            return None
        action = functools.partial(describe_action, "set", value)  # spelt only if asked
        try:
            target = self._check_target(value, low.value, high.value)
        except (LimitsError, TypeError) as error:
            return WatchableStatus.failed(error, name=self.name, action=action())
        move = self._move
        if move is not None and not move.done:  # a travel under way is superseded
            move.cancel(f"superseded by {action()}")
            self._move_id += 1  # so that it leaves the readback alone when it unwinds
            self._set_moving(False)  # nor clears ``moving``: this move has ended already
        initial = readback.value
        setpoint.write(target)
        readback.update(target)
        update = functools.partial(self._update, target, initial, target, 1.0, 0.0, 0.0)
        return WatchableStatus.finished_at(update, name=self._name, action=action)

    async def _travel(
        self, value: Any, previous: WatchableStatus[float] | None, action: str
    ) -> AsyncIterator[WatcherUpdate[float]]:
        low, high = await self.low_limit.get_value(), await self.high_limit.get_value()
        target = self._check_target(value, low, high)
        if previous is not None and not previous.done:
            previous.cancel(f"superseded by {action}")
            await _ended(previous)
        self._move_id += 1
        move_id = self._move_id
        initial = await self.readback.get_value()
        velocity = await self.velocity.get_value()
        profile = MoveProfile(target - initial, velocity, await self.acceleration.get_value())
        await self.setpoint.set(target)
        self._set_moving(True)
        start = time.monotonic()
        try:
            async for update in self._follow(profile, initial, target, start):
                yield update
        except asyncio.CancelledError:
            if move_id == self._move_id:
                self._set_readback(initial + profile.travelled(time.monotonic() - start))
            raise
        finally:
            if move_id == self._move_id:
                self._set_moving(False)

    async def _follow(
        self, profile: MoveProfile, initial: float, target: float, start: float
    ) -> AsyncIterator[WatcherUpdate[float]]:
        duration = profile.duration
        while (elapsed := time.monotonic() - start) < duration:
            position = initial + profile.travelled(elapsed)
            self._set_readback(position)
            fraction = (position - initial) / profile.distance
            yield self._update(position, initial, target, fraction, elapsed, duration - elapsed)
            await asyncio.sleep(min(_UPDATE_PERIOD_S, duration - elapsed))
        self._set_readback(target)
        yield self._update(target, initial, target, 1.0, time.monotonic() - start, 0.0)

    def _update(
        self,
        current: float,
        initial: float,
        target: float,
        fraction: float,
        elapsed: float,
        remaining: float,
    ) -> WatcherUpdate[float]:
        return WatcherUpdate(
            current=current,
            initial=initial,
            target=target,
            name=self._name,
            unit=self._units,
            precision=self._precision,
            fraction=fraction,
            time_elapsed=elapsed,
            time_remaining=remaining,
        )

    @staticmethod
    def _target_of(move: WatchableStatus[float]) -> str:
        update = move.last_update
        return f"{update.target}" if update is not None else "the target"


def _bound(limit: float | None, unbounded: float) -> float:
    return unbounded if limit is None else float(limit)


async def _ended(status: WatchableStatus[float]) -> None:
    """Wait for a cancelled move to wind up; its failure is expected, so not raised."""
    with contextlib.suppress(StatusFailedError):
        await status

"""``EpicsMotor``: an axis driven through the EPICS motor record over Channel Access.

``set`` checks the target against the soft limits (HLM/LLM) on the client before anything moves,
then puts ``.VAL`` with put-completion, so the status is done exactly when the record says the
move is (DMOV=1); meanwhile it reports progress from ``.RBV``. ``stop()`` puts ``.STOP``: the axis
halts where it is, and the move's status fails saying so.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

from .._errors import LimitsError, StatusCancelledError
from .._protocols import Location
from .._readable import Kind, StandardReadable
from .._status import Status, describe_action
from .._watchable import WatchableStatus, WatcherUpdate
from ._signals import epics_signal_r, epics_signal_rw, epics_signal_x


class EpicsMotor(StandardReadable):
    """A motor record ``<prefix>``: readback ``.RBV`` (hinted), setpoint ``.VAL``, config fields."""

    def __init__(self, prefix: str, name: str = "") -> None:
        """Talk to the motor record named ``prefix`` (e.g. ``SKYSCOPE:x``)."""
        with self.add_children_as_readables(Kind.HINTED):
            self.readback = epics_signal_r(float, f"{prefix}.RBV")
        with self.add_children_as_readables(Kind.NORMAL):
            self.setpoint = epics_signal_rw(float, f"{prefix}.VAL")
        with self.add_children_as_readables(Kind.CONFIG):
            self.velocity = epics_signal_rw(float, f"{prefix}.VELO")
            self.acceleration_time = epics_signal_rw(float, f"{prefix}.ACCL")
            self.units = epics_signal_rw(str, f"{prefix}.EGU")
            self.low_limit = epics_signal_rw(float, f"{prefix}.LLM")
            self.high_limit = epics_signal_rw(float, f"{prefix}.HLM")
        self.done_moving = epics_signal_r(bool, f"{prefix}.DMOV")
        self.moving = epics_signal_r(bool, f"{prefix}.MOVN")
        self.limit_violation = epics_signal_r(bool, f"{prefix}.LVIO")
        self.precision = epics_signal_rw(int, f"{prefix}.PREC")
        self.description = epics_signal_rw(str, f"{prefix}.DESC")
        self.stop_signal = epics_signal_x(f"{prefix}.STOP")
        self.prefix = prefix
        self._move_id = 0
        self._stop_requested = False
        super().__init__(name)

    def set(self, value: float, timeout: float | None = None) -> WatchableStatus[float]:
        """Move to ``value``: done when the record is done; failed if refused, stopped or lost."""
        action = describe_action("set", value)
        self._move_id += 1
        moves = self._travel(value, self._move_id, action)
        return WatchableStatus(moves, name=self.name, action=action, timeout=timeout)

    async def stop(self, success: bool = False) -> None:
        """Stop the axis where it is (``.STOP``); a move in progress fails, saying so."""
        self._stop_requested = True
        await self.stop_signal.trigger()

    async def locate(self) -> Location[float]:
        """Return the setpoint asked for (``.VAL``) and the position reached (``.RBV``)."""
        setpoint, readback = await asyncio.gather(
            self.setpoint.get_value(), self.readback.get_value()
        )
        return {"setpoint": setpoint, "readback": readback}

    async def check_value(self, value: float) -> None:
        """Raise ``LimitsError`` (or ``TypeError``) if ``value`` is not an allowed target."""
        low, high = await asyncio.gather(self.low_limit.get_value(), self.high_limit.get_value())
        _check_target(value, low, high)

    async def _travel(
        self, value: Any, move_id: int, action: str
    ) -> AsyncIterator[WatcherUpdate[float]]:
        low, high, initial, units, precision, velocity = await asyncio.gather(
            self.low_limit.get_value(), self.high_limit.get_value(), self.readback.get_value(),
            self.units.get_value(), self.precision.get_value(), self.velocity.get_value(),
        )  # fmt: skip
        target = _check_target(value, low, high)
        progress = _Progress(self.name, initial, target, units, precision, velocity)
        self._stop_requested = False
        readbacks: asyncio.Queue[float] = asyncio.Queue()
        self.readback.subscribe_value(readbacks.put_nowait)
        put = asyncio.ensure_future(_completion(self.setpoint.set(target, timeout=None)))
        try:
            async for position in _positions_until_done(put, readbacks):
                yield progress.at(position)
        finally:
            self.readback.clear_sub(readbacks.put_nowait)
            await _cancelled(put)
        final = await self.readback.get_value()
        self._check_arrival(move_id, action, final, progress)
        yield progress.at(final, arrived=True)

    def _check_arrival(self, move_id: int, action: str, final: float, progress: _Progress) -> None:
        where = f"at {final:.{progress.precision}f} {progress.units}"
        short = f"short of the target {progress.target}"
        if move_id != self._move_id:
            reason = f"superseded by a later set() {where}"
        elif self._stop_requested:
            reason = f"stopped by stop() {where}, {short}"
        elif abs(final - progress.target) > progress.tolerance:
            reason = f"the motor record ended the move {where}, {short} (stopped at the IOC?)"
        else:
            return
        raise StatusCancelledError(self.name, action, reason)


def _check_target(value: Any, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"target must be a number, got {value!r} ({type(value).__name__})")
    if low != high and not low <= value <= high:
        raise LimitsError(
            f"target {value} is outside the soft limits [{low}, {high}] (LLM, HLM); not moving"
        )
    return float(value)


class _Progress:
    """Turns readback positions into ``WatcherUpdate``s for one move."""

    def __init__(
        self, name: str, initial: float, target: float, units: str, precision: int, velocity: float
    ) -> None:
        self.name, self.initial, self.target = name, initial, target
        self.units, self.precision, self.velocity = units, precision, velocity
        self.tolerance = max(10.0**-precision, 1e-9)
        self.started = time.monotonic()

    def at(self, position: float, arrived: bool = False) -> WatcherUpdate[float]:
        distance = self.target - self.initial
        fraction = 1.0 if arrived or distance == 0 else (position - self.initial) / distance
        remaining = 0.0 if arrived else abs(self.target - position) / max(self.velocity, 1e-12)
        return WatcherUpdate(
            current=position, initial=self.initial, target=self.target, name=self.name,
            unit=self.units, precision=self.precision, fraction=fraction,
            time_elapsed=time.monotonic() - self.started, time_remaining=remaining,
        )  # fmt: skip


async def _completion(status: Status[None]) -> None:
    await status


async def _positions_until_done(
    put: asyncio.Future[None], readbacks: asyncio.Queue[float]
) -> AsyncIterator[float]:
    """Yield each readback until the put completes; then raise its error, if any."""
    while not put.done():
        next_position = asyncio.ensure_future(readbacks.get())
        either: set[asyncio.Future[Any]] = {put, next_position}
        try:
            await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
        finally:
            await _cancelled(next_position)
        if next_position.done() and not next_position.cancelled():
            yield next_position.result()
    put.result()


async def _cancelled(future: asyncio.Future[Any]) -> None:
    """Cancel ``future`` if it is still running and wait for it to wind up."""
    if not future.done():
        future.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await future

"""A faithful simulated EPICS motor record served by caproto.

A put to ``.VAL`` with put-completion completes only when the move ends (``DMOV`` back to 1);
the readback moves at ``VELO`` (accelerating over ``ACCL`` seconds) in real time; ``.STOP``
is served while a move runs (caproto handles each put as its own task) and stops the axis where
it is; a target outside ``LLM``..``HLM`` sets ``LVIO`` and refuses the put, and nothing moves.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from caproto import ChannelType, SkipWrite
from caproto.server import PVGroup, PvpropertyDouble, pvproperty

from ._motion import advance, limits_violation

_log = logging.getLogger(__name__)

TICK_S = 0.02
"""How often the readback updates while moving (50 Hz)."""


class LimitViolationError(ValueError):
    """A target outside the soft limits (the put is refused)."""


class _TargetData(PvpropertyDouble):  # type: ignore[misc]
    """VAL: check the soft limits (setting LVIO) before caproto's own control-limit check."""

    async def verify_value(self, value: Any) -> Any:
        await self.group.check_target(float(value))
        return await super().verify_value(value)


async def _put_val(group: MotorRecord, instance: Any, value: float) -> None:
    await group.move_to(float(value))


async def _put_stop(group: MotorRecord, instance: Any, value: int) -> int:
    if value:
        group.request_stop()
    return 0


async def _put_limit(group: MotorRecord, instance: Any, value: float) -> float:
    await group.publish_limits(**{instance.pvspec.attr: float(value)})
    return value


async def _put_egu(group: MotorRecord, instance: Any, value: str) -> str:
    for channel in (group.val, group.rbv, group.hlm, group.llm):
        await channel.write_metadata(units=value)
    return value


async def _put_prec(group: MotorRecord, instance: Any, value: int) -> int:
    for channel in (group.val, group.rbv, group.hlm, group.llm):
        await channel.write_metadata(precision=int(value))
    return value


async def _put_velo(group: MotorRecord, instance: Any, value: float) -> float:
    if value <= 0:
        raise ValueError(f"VELO must be positive, got {value}")
    return value


def _double(field: str, doc: str, **kwargs: Any) -> Any:
    return pvproperty(name=f".{field}", value=0.0, dtype=ChannelType.DOUBLE, doc=doc, **kwargs)


def _flag(field: str, doc: str, value: int, **kwargs: Any) -> Any:
    return pvproperty(name=f".{field}", value=value, dtype=ChannelType.INT, doc=doc, **kwargs)


def _text(field: str, doc: str, **kwargs: Any) -> Any:
    return pvproperty(name=f".{field}", value="", dtype=ChannelType.STRING, doc=doc, **kwargs)


class MotorRecord(PVGroup):  # type: ignore[misc]
    """One motor axis: the motor record's main fields, each a PV ``<prefix>.<FIELD>``."""

    val = pvproperty(
        name=".VAL", value=0.0, dtype=_TargetData, doc="User desired value", put=_put_val
    )
    rbv = _double("RBV", "User readback value", read_only=True)
    dmov = _flag("DMOV", "Done moving to value", 1, read_only=True)
    movn = _flag("MOVN", "Motor is moving", 0, read_only=True)
    stop = _flag("STOP", "Stop", 0, put=_put_stop)
    velo = _double("VELO", "Velocity (EGU/s)", put=_put_velo)
    accl = _double("ACCL", "Seconds to velocity")
    egu = _text("EGU", "Engineering units", put=_put_egu)
    hlm = _double("HLM", "User high limit", put=_put_limit)
    llm = _double("LLM", "User low limit", put=_put_limit)
    lvio = _flag("LVIO", "Limit violation", 0, read_only=True)
    prec = _flag("PREC", "Display precision", 3, put=_put_prec)
    desc = _text("DESC", "Descriptor")

    def __init__(
        self,
        prefix: str,
        *,
        egu: str = "mm",
        velocity: float = 5.0,
        accel_time: float = 0.05,
        limits: tuple[float, float] = (-50.0, 50.0),
        precision: int = 3,
        description: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(prefix, **kwargs)
        self._settings = (egu, velocity, accel_time, limits, precision, description)
        self._stop_requested = False
        self._motion: asyncio.Task[None] | None = None
        self._waiters: list[asyncio.Future[None]] = []

    async def configure(self) -> None:
        """Write the initial settings and their metadata (before clients connect)."""
        egu, velocity, accel_time, (low, high), precision, description = self._settings
        await self.velo.write(velocity)
        await self.accl.write(accel_time)
        await self.desc.write(description)
        await self.egu.write(egu)
        await self.prec.write(precision)
        await self.llm.write(low)
        await self.hlm.write(high)

    async def publish_limits(self, *, hlm: float | None = None, llm: float | None = None) -> None:
        """Show the soft limits as VAL's control and RBV's display limits, like the record."""
        high = self.hlm.value if hlm is None else hlm
        low = self.llm.value if llm is None else llm
        await self.val.write_metadata(upper_ctrl_limit=high, lower_ctrl_limit=low)
        await self.rbv.write_metadata(upper_disp_limit=high, lower_disp_limit=low)

    async def check_target(self, target: float) -> None:
        """Refuse a target outside the soft limits, setting LVIO like the record does."""
        problem = limits_violation(target, self.llm.value, self.hlm.value)
        await self.lvio.write(0 if problem is None else 1)
        if problem is not None:
            raise LimitViolationError(problem)

    async def move_to(self, target: float) -> None:
        """Serve a put to VAL (limits already checked): move, and return when the move ends."""
        await self.val.write(target, verify_value=False)
        done = asyncio.get_running_loop().create_future()
        self._waiters.append(done)
        if self._motion is None or self._motion.done():
            self._stop_requested = False
            self._motion = asyncio.create_task(self._run_motion())
        await done
        raise SkipWrite  # VAL was published above (and a STOP may have changed it since)

    def request_stop(self) -> None:
        """Ask a running move to stop where the axis is now."""
        if self._motion is not None and not self._motion.done():
            self._stop_requested = True

    async def _run_motion(self) -> None:
        try:
            await self._move_until_done()
        except Exception:  # a crashed move must not leave put-completions hanging
            _log.exception("motion of %s failed", self.prefix)
        finally:
            waiters, self._waiters = self._waiters, []
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)

    async def _move_until_done(self) -> None:
        await self.dmov.write(0)
        await self.movn.write(1)
        position, speed, last = float(self.rbv.value), 0.0, time.monotonic()
        while position != self.val.value and not self._stop_requested:
            await asyncio.sleep(TICK_S)
            now = time.monotonic()
            step = advance(
                position,
                float(self.val.value),
                speed,
                velocity=float(self.velo.value),
                accel_time=float(self.accl.value),
                dt=now - last,
            )
            position, speed, last = step.position, step.speed, now
            await self.rbv.write(position)
        if self._stop_requested:
            await self.val.write(position, verify_value=False)
        await self.movn.write(0)
        await self.dmov.write(1)

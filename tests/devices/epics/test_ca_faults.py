"""Faults against a real IOC: killed during a move, restarted, monitors across a purge."""

from __future__ import annotations

import asyncio
import time

import pytest
from _ca_recorder import Recorder

from skyscope.devices import StatusFailedError
from skyscope.devices.epics import EpicsMotor, epics_signal_rw, purge_channels
from skyscope.devices.testing import TestIOC

pytestmark = pytest.mark.epics


async def test_ioc_killed_during_a_move_then_restarted(ca_restartable_ioc: TestIOC) -> None:
    ioc = ca_restartable_ioc
    motor = EpicsMotor(ioc.motor_prefix("x"), name="rx")
    await motor.connect(timeout=5)
    await motor.velocity.set(2.0)
    status = motor.set(10.0)
    await asyncio.sleep(0.3)
    ioc.kill()
    killed = time.monotonic()
    with pytest.raises(StatusFailedError, match="lost the connection to the IOC") as info:
        async with asyncio.timeout(5):
            await status
    assert time.monotonic() - killed < 2.0
    assert "rx" in str(info.value)

    await asyncio.to_thread(ioc.start)
    started = time.monotonic()
    await motor.connect(timeout=5)
    assert time.monotonic() - started < 3.0  # libca alone would take up to ~10 s
    await motor.set(0.5)  # a fresh IOC: the motor starts at 0 with default velocity
    assert await motor.readback.get_value() == 0.5


async def test_monitors_survive_a_channel_purge(ca_ioc: TestIOC) -> None:
    accl = epics_signal_rw(float, f"{ca_ioc.motor_prefix('y')}.ACCL", name="accl")
    await accl.connect(timeout=5)
    seen = Recorder()
    accl.subscribe_value(seen)
    try:
        await accl.set(0.07)
        await seen.arrival(0.07)
        purge_channels()
        await accl.set(0.08)
        await seen.arrival(0.08)
    finally:
        accl.clear_sub(seen)
        await accl.set(0.05)

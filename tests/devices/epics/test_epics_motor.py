"""EpicsMotor against the test IOC's motor record: moves, progress, stop, limits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from skyscope.devices import LimitsError, StatusCancelledError, StatusFailedError
from skyscope.devices.epics import EpicsMotor
from skyscope.devices.testing import TestIOC

pytestmark = pytest.mark.epics


@pytest.fixture
async def motor(ca_ioc: TestIOC) -> AsyncIterator[EpicsMotor]:
    motor = EpicsMotor(ca_ioc.motor_prefix("x"), name="mx")
    await motor.connect(timeout=5)
    await motor.velocity.set(10.0)
    await motor.set(0.0)
    yield motor
    await motor.velocity.set(10.0)
    await motor.set(0.0)


async def test_status_is_done_only_when_the_record_is_done(motor: EpicsMotor) -> None:
    status = motor.set(3.0)
    await asyncio.sleep(0.1)
    assert not status.done
    assert await motor.moving.get_value() is True
    assert await motor.done_moving.get_value() is False
    await status
    assert status.success
    assert await motor.done_moving.get_value() is True
    assert await motor.readback.get_value() == 3.0
    assert await motor.locate() == {"setpoint": 3.0, "readback": 3.0}


async def test_progress_is_reported_while_moving(motor: EpicsMotor) -> None:
    updates: list[dict[str, Any]] = []
    status = motor.set(-3.0)
    status.watch(lambda **update: updates.append(update))
    await status
    assert len(updates) >= 5
    fractions = [update["fraction"] for update in updates]
    assert fractions == sorted(fractions)
    assert 0.0 <= fractions[0] < 0.5
    assert fractions[-1] == 1.0
    last = updates[-1]
    assert (last["current"], last["initial"], last["target"]) == (-3.0, 0.0, -3.0)
    assert (last["name"], last["unit"], last["precision"]) == ("mx", "mm", 3)
    assert any(0.1 < fraction < 0.9 for fraction in fractions)


async def test_stop_mid_move_fails_the_status_and_stops_short(motor: EpicsMotor) -> None:
    await motor.velocity.set(5.0)
    status = motor.set(8.0)
    await asyncio.sleep(0.3)
    await motor.stop()
    with pytest.raises(StatusCancelledError, match=r"mx: set\(8.0\) failed: stopped by stop\(\)"):
        await status
    position = await motor.readback.get_value()
    assert 0.5 < position < 4.0
    await asyncio.sleep(0.1)
    assert await motor.readback.get_value() == position  # it stays stopped
    assert await motor.setpoint.get_value() == position  # VAL follows RBV after a stop


async def test_target_outside_limits_is_refused_before_anything_moves(motor: EpicsMotor) -> None:
    await motor.set(1.0)
    with pytest.raises(StatusFailedError, match=r"outside the soft limits \[-50.0, 50.0\]") as info:
        await motor.set(75.0)
    assert isinstance(info.value.__cause__, LimitsError)
    assert await motor.readback.get_value() == 1.0
    assert await motor.setpoint.get_value() == 1.0
    assert await motor.limit_violation.get_value() is False  # the IOC never saw the target
    with pytest.raises(LimitsError):
        await motor.check_value(-51.0)


async def test_the_ioc_refuses_out_of_limit_puts_too(motor: EpicsMotor) -> None:
    with pytest.raises(StatusFailedError, match=r"mx-setpoint: set\(99.0\) failed.*refused"):
        await motor.setpoint.set(99.0)
    assert await motor.limit_violation.get_value() is True
    assert await motor.readback.get_value() == 0.0


async def test_non_number_target_is_refused(motor: EpicsMotor) -> None:
    with pytest.raises(StatusFailedError, match="target must be a number"):
        await motor.set("far")  # type: ignore[arg-type]


async def test_read_describe_configuration_and_hints(motor: EpicsMotor) -> None:
    reading = await motor.read()
    assert set(reading) == {"mx-readback", "mx-setpoint"}
    keys = await motor.describe()
    assert keys["mx-readback"]["units"] == "mm"
    assert keys["mx-setpoint"]["limits"]["control"] == {"low": -50.0, "high": 50.0}
    config = await motor.read_configuration()
    assert config["mx-velocity"]["value"] == 10.0
    assert config["mx-units"]["value"] == "mm"
    assert set(config) >= {"mx-low_limit", "mx-high_limit", "mx-acceleration_time"}
    assert motor.hints == {"fields": ["mx-readback"]}

"""SoftMotor: limits refused before moving, real-time progress, stop, instant moves."""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

import pytest

from skyscope.devices import (
    LimitsError,
    SoftMotor,
    StatusCancelledError,
    StatusFailedError,
    StatusTimeoutError,
    WatchableStatus,
    get_mock_puts,
    set_mock_put_proceeds,
)


async def _motor(**kwargs: Any) -> SoftMotor:
    motor = SoftMotor("x", **kwargs)
    await motor.connect()
    return motor


@pytest.mark.parametrize("velocity", [10.0, 0.0, math.inf])
async def test_a_target_outside_the_limits_is_refused_before_anything_moves(
    velocity: float,
) -> None:
    motor = await _motor(position=1.0, velocity=velocity, limits=(-2.0, 2.0))
    status = motor.set(3.0)
    with pytest.raises(StatusFailedError) as caught:
        await status
    assert str(caught.value) == (
        "x: set(3.0) failed: LimitsError: target 3.0 is outside the limits [-2.0, 2.0]; not moving"
    )
    assert isinstance(caught.value.__cause__, LimitsError)
    assert await motor.locate() == {"setpoint": 1.0, "readback": 1.0}


async def test_limits_refusal_records_no_put_in_mock_mode() -> None:
    motor = SoftMotor("x", velocity=10.0, limits=(-2.0, 2.0))
    await motor.connect(mock=True)
    with pytest.raises(StatusFailedError, match="outside the limits"):
        await motor.set(-5.0)
    assert get_mock_puts(motor.setpoint) == []


async def test_a_non_number_target_is_refused() -> None:
    motor = await _motor()
    with pytest.raises(StatusFailedError, match="target must be a number, got 'far' \\(str\\)"):
        await motor.set("far")  # type: ignore[arg-type]


async def test_a_move_reports_progress_as_the_readback_travels() -> None:
    motor = await _motor(velocity=10.0)  # 1 mm in 0.1 s
    updates: list[dict[str, Any]] = []
    readbacks: list[float] = []
    motor.readback.subscribe_value(readbacks.append)
    moving = asyncio.Event()
    motor.moving.subscribe_value(lambda value: value and moving.set())
    started = time.monotonic()
    status = motor.set(1.0)
    assert isinstance(status, WatchableStatus)
    status.watch(lambda **kwargs: updates.append(kwargs))
    assert await motor.moving.get_value() is False  # the move starts on the next loop turn
    await moving.wait()  # the move says it is moving while it travels
    await status
    took = time.monotonic() - started
    motor.readback.clear_sub(readbacks.append)
    assert took >= 0.09  # 1 mm at 10 mm/s cannot be quicker (a slow machine may be slower)
    fractions = [u["fraction"] for u in updates]
    assert fractions[0] < 0.5
    assert fractions[-1] == 1.0
    assert fractions == sorted(fractions)
    assert len(fractions) >= 3
    last = updates[-1]
    assert (last["name"], last["unit"], last["precision"]) == ("x", "mm", 3)
    assert (last["initial"], last["current"], last["target"]) == (0.0, 1.0, 1.0)
    assert last["time_remaining"] == 0.0
    assert 0 < updates[1]["time_elapsed"] < last["time_elapsed"]
    assert any(0.0 < r < 1.0 for r in readbacks)
    assert await motor.locate() == {"setpoint": 1.0, "readback": 1.0}
    assert await motor.moving.get_value() is False


async def test_stop_mid_move_halts_there_and_fails_the_status_clearly() -> None:
    motor = await _motor(velocity=10.0)
    status = motor.set(5.0)
    await asyncio.sleep(0.1)
    await motor.stop()
    with pytest.raises(StatusCancelledError) as caught:
        await status
    assert str(caught.value) == "x: set(5.0) failed: stopped by stop() before reaching 5.0"
    where = await motor.readback.get_value()
    assert 0.5 < where < 2.0
    assert await motor.locate() == {"setpoint": where, "readback": where}
    assert await motor.moving.get_value() is False
    await asyncio.sleep(0.05)
    assert await motor.readback.get_value() == where


async def test_stop_when_idle_does_nothing() -> None:
    motor = await _motor(velocity=10.0)
    await motor.stop()
    await motor.set(0.1)
    await motor.stop(success=False)
    assert await motor.readback.get_value() == 0.1


async def test_a_new_set_supersedes_the_move_in_progress() -> None:
    motor = await _motor(velocity=20.0)
    first = motor.set(10.0)
    await asyncio.sleep(0.05)
    second = motor.set(-0.5)
    with pytest.raises(StatusCancelledError, match=r"superseded by set\(-0.5\)"):
        await first
    await second
    assert await motor.readback.get_value() == -0.5


async def test_an_instant_move_supersedes_a_travel_that_leaves_its_readback_alone() -> None:
    motor = await _motor(velocity=20.0)
    first = motor.set(10.0)
    await asyncio.sleep(0.05)
    await motor.velocity.set(math.inf)
    assert motor.set(-0.5).done
    with pytest.raises(StatusCancelledError, match=r"superseded by set\(-0.5\)"):
        await first
    await asyncio.sleep(0.02)  # the cancelled travel has unwound
    assert await motor.readback.get_value() == -0.5
    assert await motor.moving.get_value() is False


@pytest.mark.parametrize("velocity", [0.0, math.inf])
async def test_instant_velocities_move_at_once_without_a_task(velocity: float) -> None:
    motor = await _motor(velocity=velocity)
    tasks_before = len(asyncio.all_tasks())
    status = motor.set(4.0)
    assert status.done
    assert status.success
    assert len(asyncio.all_tasks()) == tasks_before
    assert await motor.readback.get_value() == 4.0
    seen: list[dict[str, Any]] = []
    status.watch(lambda **kwargs: seen.append(kwargs))
    assert seen[0]["fraction"] == 1.0


async def test_a_move_longer_than_its_timeout_gives_up() -> None:
    motor = await _motor(velocity=1.0)
    with pytest.raises(StatusTimeoutError, match=r"x: set\(10.0\) failed: timed out after 0.05 s"):
        await motor.set(10.0, timeout=0.05)
    assert 0.0 < await motor.readback.get_value() < 1.0


async def test_acceleration_slows_the_start_of_a_move() -> None:
    motor = await _motor(velocity=10.0, acceleration=50.0)  # 0.2 s to reach full speed
    status = motor.set(1.0)
    await asyncio.sleep(0.1)
    early = await motor.readback.get_value()
    assert 0.0 < early < 0.5 * 10.0 * 0.1  # slower than constant velocity
    await status
    assert await motor.readback.get_value() == 1.0


async def test_check_value_and_describe() -> None:
    motor = await _motor(limits=(0.0, None))
    await motor.check_value(100.0)
    with pytest.raises(LimitsError, match="outside the limits"):
        await motor.check_value(-1.0)
    assert list(await motor.read()) == ["x-readback", "x-setpoint"]
    assert set(await motor.read_configuration()) == {
        "x-velocity",
        "x-acceleration",
        "x-units",
        "x-low_limit",
        "x-high_limit",
    }
    assert motor.hints == {"fields": ["x-readback"]}
    key = (await motor.describe())["x-readback"]
    assert (key["units"], key["precision"]) == ("mm", 3)


async def test_in_mock_mode_a_blocked_setpoint_holds_the_move() -> None:
    motor = SoftMotor("x", velocity=100.0)
    await motor.connect(mock=True)
    set_mock_put_proceeds(motor.setpoint, False)
    status = motor.set(1.0)
    await asyncio.sleep(0.02)
    assert not status.done
    assert get_mock_puts(motor.setpoint) == [1.0]
    set_mock_put_proceeds(motor.setpoint, True)
    await status
    assert await motor.readback.get_value() == 1.0

"""SoftDetector: a value computed on trigger from other signals, cheap on the hot path."""

from __future__ import annotations

import asyncio
import math
import time

import numpy as np
import pytest

from skyscope.devices import (
    SoftDetector,
    SoftMotor,
    StatusFailedError,
    gaussian,
    set_mock_value,
    soft_signal_rw,
)


async def test_value_is_a_gaussian_of_the_motor_position() -> None:
    motor = SoftMotor("motor", velocity=0.0)
    det = SoftDetector("det", compute=gaussian(center=1.0, sigma=0.5), inputs=[motor.readback])
    await motor.set(1.5)
    await det.trigger()
    value = (await det.read())["det-value"]["value"]
    assert value == pytest.approx(math.exp(-0.5))
    assert det.hints == {"fields": ["det-value"]}
    assert motor.readback.parent is motor  # inputs are references, not adopted children


async def test_without_compute_the_value_counts_triggers() -> None:
    det = SoftDetector("det")
    for _ in range(3):
        await det.trigger()
    assert await det.value.get_value() == 3.0


async def test_exposure_makes_the_trigger_take_time() -> None:
    det = SoftDetector("det", exposure=0.05)
    started = time.monotonic()
    status = det.trigger()
    assert not status.done
    await status
    assert time.monotonic() - started >= 0.05
    assert (await det.read_configuration())["det-exposure"]["value"] == 0.05


async def test_a_failing_compute_fails_the_trigger_naming_the_detector() -> None:
    def broken() -> float:
        raise ZeroDivisionError("division by zero")

    det = SoftDetector("det", compute=broken)
    with pytest.raises(StatusFailedError, match=r"det: trigger\(\) failed: ZeroDivisionError"):
        await det.trigger()


async def test_small_array_values() -> None:
    gain = soft_signal_rw(float, 2.0, "gain")
    det = SoftDetector(
        "spectrum",
        compute=lambda g: g * np.arange(4.0),
        inputs=[gain],
        datatype=np.ndarray,
    )
    await det.trigger()
    np.testing.assert_array_equal(await det.value.get_value(), [0.0, 2.0, 4.0, 6.0])
    key = (await det.describe())["spectrum-value"]
    assert (key["dtype"], key["shape"]) == ("array", [4])


async def test_mocked_inputs_go_through_the_async_path() -> None:
    motor = SoftMotor("motor")
    det = SoftDetector("det", compute=lambda x: 2 * x, inputs=[motor.readback])
    await motor.connect(mock=True)
    await det.connect(mock=True)
    set_mock_value(motor.readback, 4.0)
    status = det.trigger()
    await status
    assert await det.value.get_value() == 8.0


async def test_an_instant_trigger_creates_no_task_and_is_cheap() -> None:
    motor = SoftMotor("motor", velocity=0.0)
    det = SoftDetector("det", compute=gaussian(), inputs=[motor.readback])
    tasks_before = len(asyncio.all_tasks())
    status = det.trigger()
    assert status.done
    assert status.success
    assert len(asyncio.all_tasks()) == tasks_before
    rounds = 2000
    started = time.perf_counter()
    for _ in range(rounds):
        await det.trigger()
        await det.read()
    per_round_us = (time.perf_counter() - started) / rounds * 1e6
    assert per_round_us < 200  # ~10 µs measured; generous for a loaded CI machine


def test_gaussian_refuses_a_non_positive_sigma() -> None:
    with pytest.raises(ValueError, match="sigma must be positive"):
        gaussian(sigma=0.0)

"""Soft signals: datatypes, metadata in describe(), refused values, subscriptions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from skyscope.devices import (
    LimitsError,
    SignalR,
    SignalRW,
    StatusFailedError,
    StrictEnum,
    soft_signal_r_and_setter,
    soft_signal_rw,
    soft_signal_x,
)


class Objective(StrictEnum):
    X10 = "10x"
    X40 = "40x"


@dataclass(frozen=True)
class DatatypeCase:
    datatype: Any
    written: Any
    stored: Any
    dtype: str
    shape: list[int]
    dtype_numpy: str


DATATYPE_CASES = [
    DatatypeCase(float, 2, 2.0, "number", [], "<f8"),
    DatatypeCase(int, 3.0, 3, "integer", [], "<i8"),
    DatatypeCase(bool, 1, True, "boolean", [], "|b1"),
    DatatypeCase(str, "hello", "hello", "string", [], "|S40"),
    DatatypeCase(Objective, "40x", Objective.X40, "string", [], "|S40"),
    DatatypeCase(Sequence[str], ("a", "b"), ["a", "b"], "array", [2], "|S40"),
    DatatypeCase(
        npt.NDArray[np.uint16], [[1, 2, 3]], np.array([[1, 2, 3]]), "array", [1, 3], "<u2"
    ),
    DatatypeCase(np.ndarray, [0.5, 1.5], np.array([0.5, 1.5]), "array", [2], "<f8"),
]


@pytest.mark.parametrize("case", DATATYPE_CASES, ids=lambda c: str(c.datatype))
async def test_each_datatype_round_trips_and_describes_itself(case: DatatypeCase) -> None:
    signal = soft_signal_rw(case.datatype, name="sig")
    await signal.connect()
    await signal.set(case.written)
    value = await signal.get_value()
    if isinstance(case.stored, np.ndarray):
        np.testing.assert_array_equal(value, case.stored)
    else:
        assert value == case.stored
        assert type(value) is type(case.stored)
    key = (await signal.describe())["sig"]
    assert key["source"] == "soft://sig"
    assert (key["dtype"], key["shape"], key["dtype_numpy"]) == (
        case.dtype,
        case.shape,
        case.dtype_numpy,
    )


@pytest.mark.parametrize(
    ("datatype", "bad", "message"),
    [
        (float, "1.5", r"expected float, got '1.5' \(str\)"),
        (float, True, r"expected float, got True \(bool\)"),
        (int, 2.5, r"expected int, got 2.5 \(float\)"),
        (bool, 2, r"expected bool, got 2 \(int\)"),
        (str, 5, r"expected str, got 5 \(int\)"),
        (Objective, "100x", r"'100x' is not one of the choices of Objective: \['10x', '40x'\]"),
        (Sequence[str], "ab", "expected a sequence of str"),
        (npt.NDArray[np.uint16], [1.5], "expected an array of uint16, got one of float64"),
        (npt.NDArray[np.uint16], [70000], r"outside the range of uint16 \[0, 65535\]"),
    ],
)
async def test_a_bad_value_is_refused_with_a_clear_error(
    datatype: Any, bad: Any, message: str
) -> None:
    signal = soft_signal_rw(datatype, name="scope-sig")
    before = await signal.get_value()
    status = signal.set(bad)
    with pytest.raises(StatusFailedError, match=r"^scope-sig: set\(.*\) failed: .*" + message):
        await status
    after = await signal.get_value()
    assert after is before


async def test_units_precision_limits_and_choices_appear_in_describe() -> None:
    position = soft_signal_rw(float, 1.0, "x", units="mm", precision=3, limits=(-5.0, 5.0))
    gain = soft_signal_rw(str, None, "gain", choices=["low", "high"])
    mode = soft_signal_rw(Objective, name="objective")
    key = (await position.describe())["x"]
    assert key["units"] == "mm"
    assert key["precision"] == 3
    assert key["limits"] == {"control": {"low": -5.0, "high": 5.0}}
    assert (await gain.describe())["gain"]["choices"] == ["low", "high"]
    assert await gain.get_value() == "low"
    assert (await mode.describe())["objective"]["choices"] == ["10x", "40x"]
    assert await mode.get_value() is Objective.X10


async def test_writes_outside_the_control_limits_are_refused() -> None:
    position = soft_signal_rw(float, 0.0, "x", limits=(None, 5.0))
    with pytest.raises(
        StatusFailedError, match=r"LimitsError: 6\.0 is outside the control limits"
    ) as e:
        await position.set(6.0)
    assert isinstance(e.value.__cause__, LimitsError)
    await position.set(-100.0)
    assert await position.get_value() == -100.0


def test_choices_with_a_non_str_datatype_are_refused() -> None:
    with pytest.raises(TypeError, match="choices are for str signals"):
        soft_signal_rw(float, choices=["a"])


def test_an_unsupported_datatype_is_refused() -> None:
    with pytest.raises(TypeError, match="unsupported signal datatype"):
        soft_signal_rw(dict)


def test_inverted_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="low is above high"):
        soft_signal_rw(float, limits=(5.0, 1.0))


async def test_read_returns_value_timestamp_and_alarm() -> None:
    signal = soft_signal_rw(int, 4, "count")
    reading = (await signal.read())["count"]
    assert reading["value"] == 4
    assert reading["alarm_severity"] == 0
    assert reading["timestamp"] > 1.6e9
    assert await signal.read_configuration() == await signal.read()
    assert await signal.describe_configuration() == await signal.describe()
    assert signal.hints == {"fields": ["count"]}


async def test_locate_gives_setpoint_and_readback() -> None:
    signal: SignalRW[float] = soft_signal_rw(float, 1.0, "x")
    await signal.set(2.0)
    assert await signal.locate() == {"setpoint": 2.0, "readback": 2.0}


async def test_read_only_signal_changes_through_its_setter() -> None:
    temperature, set_temperature = soft_signal_r_and_setter(float, 20.0, "temp", units="degC")
    assert isinstance(temperature, SignalR)
    assert not hasattr(temperature, "set")
    set_temperature(21.5)
    assert await temperature.get_value() == 21.5
    with pytest.raises(TypeError, match="expected float"):
        set_temperature("warm")  # type: ignore[arg-type]


async def test_subscribers_get_the_current_value_then_every_change() -> None:
    signal = soft_signal_rw(float, 1.0, "x")
    readings: list[dict[str, Any]] = []
    values: list[float] = []
    signal.subscribe(readings.append)
    signal.subscribe_value(values.append)
    await signal.set(2.0)
    await signal.set(3.0)
    assert values == [1.0, 2.0, 3.0]
    assert [r["x"]["value"] for r in readings] == [1.0, 2.0, 3.0]
    signal.clear_sub(values.append)
    await signal.set(4.0)
    assert values == [1.0, 2.0, 3.0]
    assert readings[-1]["x"]["value"] == 4.0
    signal.clear_sub(readings.append)
    await signal.set(5.0)
    assert len(readings) == 4


async def test_executable_signal_triggers() -> None:
    fire = soft_signal_x("fire")
    await fire.connect()
    status = fire.trigger()
    await status
    assert status.success
    assert status.action == "trigger()"


async def test_set_without_wait_completes() -> None:
    signal = soft_signal_rw(float, 0.0, "x")
    await signal.set(1.0, wait=False)
    assert await signal.get_value() == 1.0

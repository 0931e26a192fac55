"""CA signals against the real test IOC: get, put, monitor, describe, errors that name the PV."""

from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest
from _ca_recorder import Recorder

from skyscope.devices import NotConnectedError, StatusFailedError, StrictEnum
from skyscope.devices.epics import CaSignalBackend, epics_signal_r, epics_signal_rw, epics_signal_x
from skyscope.devices.testing import TestIOC

pytestmark = pytest.mark.epics


class ImageMode(StrictEnum):
    SINGLE = "Single"
    MULTIPLE = "Multiple"
    CONTINUOUS = "Continuous"


async def test_get_put_and_readback(ca_ioc: TestIOC) -> None:
    velo = epics_signal_rw(float, f"{ca_ioc.motor_prefix('y')}.VELO", name="velo")
    await velo.connect(timeout=5)
    await velo.set(7.5)
    assert await velo.get_value() == 7.5
    assert await velo.locate() == {"setpoint": 7.5, "readback": 7.5}
    reading = (await velo.read())["velo"]
    assert reading["value"] == 7.5
    assert abs(reading["timestamp"] - time.time()) < 5
    assert reading["alarm_severity"] == 0
    assert velo.source == f"ca://{ca_ioc.motor_prefix('y')}.VELO"
    await velo.set(5.0)


async def test_describe_carries_units_precision_and_limits(ca_ioc: TestIOC) -> None:
    prefix = ca_ioc.motor_prefix("y")
    setpoint = epics_signal_rw(float, f"{prefix}.VAL", f"{prefix}.RBV", name="y")
    await setpoint.connect(timeout=5)
    key = (await setpoint.describe())["y"]
    assert key["source"] == f"ca://{prefix}.RBV"
    assert key["dtype"] == "number"
    assert key["shape"] == []
    assert key["units"] == "mm"
    assert key["precision"] == 3
    val = epics_signal_r(float, f"{prefix}.VAL", name="val")
    await val.connect(timeout=5)
    assert (await val.describe())["val"]["limits"]["control"] == {"low": -50.0, "high": 50.0}


async def test_enum_choices_and_strict_enum(ca_ioc: TestIOC) -> None:
    pv = f"{ca_ioc.camera_prefix}cam1:ImageMode"
    mode = epics_signal_rw(ImageMode, pv, f"{pv}_RBV", name="mode")
    as_text = epics_signal_r(str, pv, name="text")
    await asyncio.gather(mode.connect(timeout=5), as_text.connect(timeout=5))
    assert (await mode.describe())["mode"]["choices"] == ["Single", "Multiple", "Continuous"]
    assert (await as_text.describe())["text"]["choices"] == ["Single", "Multiple", "Continuous"]
    await mode.set(ImageMode.MULTIPLE)
    assert await mode.get_value() is ImageMode.MULTIPLE
    await mode.set(ImageMode.SINGLE)
    assert await as_text.get_value() == "Single"
    with pytest.raises(StatusFailedError, match="not one of the choices"):
        await mode.set("Sometimes")  # type: ignore[arg-type]


async def test_array_signal_reads_the_frame_waveform(ca_ioc: TestIOC) -> None:
    data = epics_signal_r(np.ndarray, f"{ca_ioc.camera_prefix}image1:ArrayData", name="data")
    await data.connect(timeout=5)
    key = (await data.describe())["data"]
    assert key["dtype"] == "array"
    assert key["shape"] == [48 * 64]
    assert (await data.get_value()).shape == (48 * 64,)


async def test_monitor_sees_every_update_in_order(ca_ioc: TestIOC) -> None:
    pv = f"{ca_ioc.motor_prefix('z')}.ACCL"
    accl = epics_signal_rw(float, pv, name="accl")
    await accl.connect(timeout=5)
    await accl.set(0.05)
    seen = Recorder()
    accl.subscribe_value(seen)
    try:
        for value in (0.1, 0.2, 0.3):
            await accl.set(value)
        await seen.arrival(0.3)
    finally:
        accl.clear_sub(seen)
        await accl.set(0.05)
    assert seen.values == [0.05, 0.1, 0.2, 0.3]


async def test_executable_signal_writes_one(ca_ioc: TestIOC) -> None:
    stop = epics_signal_x(f"{ca_ioc.motor_prefix('z')}.STOP", name="stop")
    await stop.connect(timeout=5)
    await stop.trigger()  # the record resets STOP to 0 after a put; it must not fail


async def test_wrong_type_is_refused_before_the_put(ca_ioc: TestIOC) -> None:
    velo = epics_signal_rw(float, f"{ca_ioc.motor_prefix('z')}.VELO", name="velo")
    await velo.connect(timeout=5)
    with pytest.raises(StatusFailedError, match="expected float"):
        await velo.set("fast")  # type: ignore[arg-type]


async def test_put_to_read_only_pv_is_a_clear_error(ca_ioc: TestIOC) -> None:
    rbv = epics_signal_rw(float, f"{ca_ioc.motor_prefix('z')}.RBV", name="rbv")
    await rbv.connect(timeout=5)
    with pytest.raises(StatusFailedError, match=r"RBV is read-only"):
        await rbv.set(1.0)
    assert await rbv.get_value() == 0.0


async def test_missing_pv_fails_within_its_timeout_naming_the_pv(ca_ioc: TestIOC) -> None:
    ghost = epics_signal_r(float, "SKYSCOPE:NO-SUCH-PV", name="ghost")
    started = time.monotonic()
    with pytest.raises(NotConnectedError, match="SKYSCOPE:NO-SUCH-PV") as info:
        await ghost.connect(timeout=0.5)
    assert time.monotonic() - started < 2.0
    assert "no Channel Access server answered" in str(info.value) or "did not connect" in str(
        info.value
    )


def test_backend_source_names_the_read_pv() -> None:
    backend = CaSignalBackend(float, "A:RBV", "A:VAL")
    assert backend.source("ignored") == "ca://A:RBV"

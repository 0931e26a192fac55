"""One device, one driver: two engines on one loop, one plan holding a device the other wants."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import pytest

from skyscope.devices import SoftDetector, SoftMotor
from skyscope.devices.sim import Microscope, SensorSpec
from skyscope.engine import CLAIMS, DeviceInUse, Engine, Msg
from skyscope.plans import count, mv, run_wrapper


async def holding(
    motor: SoftMotor, det: SoftDetector, beats: asyncio.Event
) -> AsyncGenerator[Any, Any]:
    """Move ``motor`` once, then read ``det`` until stopped: holds both (the queue's plan)."""
    yield Msg("open_run")
    yield Msg("set", motor, 1.0, group="m")
    yield Msg("wait", group="m")
    try:
        while True:
            yield Msg("checkpoint")
            yield Msg("trigger", det, group="d")
            yield Msg("wait", group="d")
            beats.set()
            yield Msg("sleep", None, 0.005)
    finally:
        yield Msg("close_run")


async def reading(*devices: Any) -> AsyncGenerator[Any, Any]:
    """Read ``devices`` once, as a run, without driving them."""
    yield Msg("open_run")
    yield Msg("create", name="primary")
    for device in devices:
        yield Msg("read", device)
    yield Msg("save")
    yield Msg("close_run")


@pytest.fixture
async def queue_engine() -> AsyncIterator[Engine]:
    engine = Engine(md={}, handle_sigint=False)
    yield engine
    if engine.state != "idle":
        await engine.abort("test teardown")


@pytest.fixture
def shell_engine() -> Engine:
    return Engine(md={}, handle_sigint=False)


async def test_another_engine_cannot_drive_a_device_in_use(
    queue_engine: Engine, shell_engine: Engine, motor: SoftMotor, det: SoftDetector
) -> None:
    beats = asyncio.Event()
    handle = queue_engine.start(holding(motor, det, beats))
    await beats.wait()
    with pytest.raises(DeviceInUse) as refused:
        await shell_engine(run_wrapper(mv(motor, 5.0)))
    message = str(refused.value)
    assert "cannot set motor" in message
    assert "plan 'holding'" in message
    assert "Reading the device is allowed" in message
    assert await motor.readback.get_value() == pytest.approx(1.0)  # it never moved
    with pytest.raises(DeviceInUse, match="cannot stage det: plan 'holding'"):
        await shell_engine(count([det], 1))
    assert shell_engine.state == "idle"
    await handle.stop()
    assert CLAIMS.holder(motor) is None


async def test_reading_a_device_in_use_is_allowed(
    queue_engine: Engine, shell_engine: Engine, motor: SoftMotor, det: SoftDetector
) -> None:
    beats = asyncio.Event()
    handle = queue_engine.start(holding(motor, det, beats))
    await beats.wait()
    docs: list[tuple[str, Any]] = []
    shell_engine.subscribe(lambda name, doc: docs.append((name, doc)))
    result = await shell_engine(reading(motor, det))
    assert result.exit_status == "success"
    (event,) = [doc for name, doc in docs if name == "event"]
    assert event["data"][motor.readback.name] == pytest.approx(1.0)
    await handle.stop()


async def test_claims_are_released_when_the_plan_ends(
    queue_engine: Engine, shell_engine: Engine, motor: SoftMotor, det: SoftDetector
) -> None:
    beats = asyncio.Event()
    handle = queue_engine.start(holding(motor, det, beats))
    await beats.wait()
    assert CLAIMS.held() == {"motor": "holding", "det": "holding"}
    await handle.stop()
    result = await shell_engine(run_wrapper(mv(motor, 5.0)))  # free again at once
    assert result.exit_status == "success"
    assert await motor.readback.get_value() == pytest.approx(5.0)
    assert CLAIMS.held() == {}


async def test_a_failed_plan_releases_its_claims(
    queue_engine: Engine, shell_engine: Engine, motor: SoftMotor
) -> None:
    async def moves_then_fails() -> AsyncGenerator[Any, Any]:
        yield Msg("set", motor, 2.0, group="m")
        yield Msg("wait", group="m")
        raise RuntimeError("lamp failed")

    with pytest.raises(RuntimeError, match="lamp failed"):
        await queue_engine(moves_then_fails())
    assert (await shell_engine(run_wrapper(mv(motor, 3.0)))).exit_status == "success"


async def test_a_paused_plan_keeps_its_devices(
    queue_engine: Engine, shell_engine: Engine, motor: SoftMotor, det: SoftDetector
) -> None:
    beats = asyncio.Event()
    handle = queue_engine.start(holding(motor, det, beats))
    await beats.wait()
    await handle.pause()
    with pytest.raises(DeviceInUse, match="plan 'holding'"):
        await shell_engine(run_wrapper(mv(motor, 5.0)))
    await handle.abort("done with it")
    assert (await shell_engine(run_wrapper(mv(motor, 5.0)))).exit_status == "success"


async def test_parts_and_wholes_of_a_held_device_are_held_too(
    queue_engine: Engine, shell_engine: Engine
) -> None:
    scope = Microscope(seed=0, sensor=SensorSpec(shape=(32, 32)))
    await scope.connect()
    view_beats = asyncio.Event()

    async def snapping() -> AsyncGenerator[Any, Any]:  # holds the camera, as a live view does
        yield Msg("trigger", scope.camera, group="c")
        yield Msg("wait", group="c")
        view_beats.set()
        while True:
            yield Msg("checkpoint")
            yield Msg("sleep", None, 0.005)

    handle = queue_engine.start(snapping())
    await view_beats.wait()
    with pytest.raises(DeviceInUse) as refused:  # a part: the camera's exposure
        await shell_engine(run_wrapper(mv(scope.camera.exposure, 0.05)))
    assert "cannot set scope-camera-exposure (part of or containing scope-camera)" in str(
        refused.value
    )
    with pytest.raises(DeviceInUse, match=r"cannot stage scope \(part .*: plan 'snapping'"):
        await shell_engine(run_wrapper(_stage(scope)))  # the whole microscope
    result = await shell_engine(run_wrapper(mv(scope.focus, 10.0)))  # another device: free
    assert result.exit_status == "success"
    await handle.stop()


async def _stage(device: Any) -> AsyncGenerator[Any, Any]:
    yield Msg("stage", device)
    yield Msg("unstage", device)


async def test_the_same_engine_drives_its_devices_plan_after_plan(
    queue_engine: Engine, motor: SoftMotor
) -> None:
    for target in (1.0, 2.0, 3.0):
        assert (await queue_engine(run_wrapper(mv(motor, target)))).exit_status == "success"
    assert CLAIMS.held() == {}

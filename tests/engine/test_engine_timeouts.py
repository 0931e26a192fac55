"""Time limits the engine enforces: a Status that never finishes fails the run instead of hanging.

Also what cannot be waited out: NaN, negative or infinite sleeps and timeouts are refused
before anything moves, and a run closed with a made-up exit status still gets a stop document.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncGenerator
from typing import Any

import pytest

from skyscope.devices import SoftMotor, Status
from skyscope.engine import Engine, FailedStatus, Msg, WaitTimeout
from skyscope.plans import count, run_wrapper


class Stuck:
    """A device whose moves and acquisitions never finish (a hung controller), until stopped.

    Made here rather than mocked: it is a real device with skyscope Statuses, only its
    operations wait on an event nothing sets.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.parent = None
        self.stops: list[bool] = []
        self.moves: list[Any] = []
        self._running: list[Status[None]] = []

    def set(self, value: Any) -> Status[None]:
        self.moves.append(value)
        return self._start(f"set({value!r})")

    def trigger(self) -> Status[None]:
        return self._start("trigger()")

    async def read(self) -> dict[str, Any]:
        return {self.name: {"value": 0.0, "timestamp": 0.0}}

    async def describe(self) -> dict[str, Any]:
        return {self.name: {"source": "test://stuck", "dtype": "number", "shape": []}}

    async def stop(self, success: bool = True) -> None:
        self.stops.append(success)
        for status in self._running:
            status.cancel("stopped")
        self._running.clear()

    def _start(self, action: str) -> Status[None]:
        status = Status(asyncio.Event().wait(), name=self.name, action=action)
        self._running.append(status)
        return status


async def test_a_set_that_never_finishes_fails_at_its_timeout(engine: Engine, recorder) -> None:
    stage = Stuck("stuck_stage")

    async def plan() -> AsyncGenerator[Any, Any]:
        yield Msg("set", stage, 5.0, group="g", timeout=0.1)
        yield Msg("wait", None, group="g")

    with pytest.raises(WaitTimeout) as raised:
        await engine(run_wrapper(plan()))
    message = str(raised.value)
    assert "'stuck_stage'" in message  # the device
    assert "set(5.0)" in message  # the target
    assert "0.1 s" in message  # the limit
    assert stage.stops[0] is False  # asked to stop, as a failure
    stop = recorder.of("stop")[0]
    assert stop["exit_status"] == "fail"
    assert "stuck_stage" in stop["reason"]


async def test_a_trigger_that_never_finishes_fails_at_its_timeout(engine: Engine) -> None:
    camera = Stuck("stuck_camera")

    async def plan() -> AsyncGenerator[Any, Any]:
        yield Msg("trigger", camera, group="frame", timeout=0.1)
        yield Msg("wait", None, group="frame")

    with pytest.raises(WaitTimeout, match=r"trigger\(\) of 'stuck_camera' did not finish within"):
        await engine(run_wrapper(plan()))
    assert camera.stops == [False]


async def test_a_timed_out_set_fails_the_next_wait_even_without_its_own(engine: Engine) -> None:
    stage, other = Stuck("stuck_stage"), SoftMotor("quick", velocity=math.inf)
    await other.connect()

    async def plan() -> AsyncGenerator[Any, Any]:
        yield Msg("set", stage, 1.0, group="g", timeout=0.05)
        yield Msg("set", other, 2.0, group="g")
        yield Msg("wait", None, group="g")  # no timeout here: the set's own limit applies

    with pytest.raises(WaitTimeout, match="stuck_stage"):
        await engine(run_wrapper(plan()))


async def test_a_set_that_finishes_in_time_is_not_stopped(engine: Engine, motor) -> None:
    stops: list[Any] = []
    original = motor.stop

    async def counting_stop(success: bool = True) -> None:
        stops.append(success)
        await original(success)

    motor.stop = counting_stop

    async def plan() -> AsyncGenerator[Any, Any]:
        yield Msg("set", motor, 3.0, group="g", timeout=5.0)
        yield Msg("wait", None, group="g")

    result = await engine(run_wrapper(plan()))
    assert result.exit_status == "success"
    assert (await motor.locate())["readback"] == 3.0
    assert False not in stops  # the engine's end-of-run stop is a success one; no time-out stop


async def test_a_device_that_takes_a_timeout_is_given_it(engine: Engine, slow_motor) -> None:
    async def plan() -> AsyncGenerator[Any, Any]:
        yield Msg("set", slow_motor, 90.0, group="g", timeout=0.05)
        yield Msg("wait", None, group="g")

    # the motor fails its own move at the limit, with its own error, before the engine would
    with pytest.raises(FailedStatus, match="slow"):
        await engine(run_wrapper(plan()))


async def test_a_group_wait_timeout_names_the_devices_targets_and_limit(engine: Engine) -> None:
    stage, camera = Stuck("stuck_stage"), Stuck("stuck_camera")

    async def plan() -> AsyncGenerator[Any, Any]:
        yield Msg("set", stage, 7.5, group="g")
        yield Msg("trigger", camera, group="g")
        yield Msg("wait", None, group="g", timeout=0.1)

    with pytest.raises(WaitTimeout) as raised:
        await engine(run_wrapper(plan()))
    message = str(raised.value)
    assert "set(7.5) of 'stuck_stage'" in message
    assert "trigger() of 'stuck_camera'" in message
    assert "within 0.1 s" in message
    assert stage.stops[0] is False
    assert camera.stops == [False]


async def test_move_on_leaves_the_late_devices_running(engine: Engine) -> None:
    stage = Stuck("stuck_stage")
    outcome: list[str] = []

    async def plan() -> AsyncGenerator[Any, Any]:
        yield Msg("set", stage, 1.0, group="g")
        yield Msg("wait", None, group="g", timeout=0.05, move_on=True)
        outcome.append(f"moved on, stops so far: {stage.stops}")
        yield Msg("stop", stage)

    result = await engine(run_wrapper(plan()))
    assert result.exit_status == "success"
    assert outcome == ["moved on, stops so far: []"]


@pytest.mark.parametrize("timeout", [math.nan, -1.0, "soon", True])
async def test_a_nonsense_timeout_is_refused_before_the_device_moves(
    engine: Engine, timeout: Any
) -> None:
    stage = Stuck("stuck_stage")

    async def plan() -> AsyncGenerator[Any, Any]:
        yield Msg("set", stage, 1.0, group="g", timeout=timeout)
        yield Msg("wait", None, group="g")

    with pytest.raises(ValueError, match="set: timeout must be None or a number of seconds"):
        await engine(run_wrapper(plan()))
    assert stage.moves == []


async def test_an_infinite_timeout_means_no_limit(engine: Engine, motor) -> None:
    async def plan() -> AsyncGenerator[Any, Any]:
        yield Msg("set", motor, 1.0, group="g", timeout=math.inf)
        yield Msg("wait", None, group="g", timeout=math.inf)

    assert (await engine(run_wrapper(plan()))).exit_status == "success"


@pytest.mark.parametrize("seconds", [math.nan, math.inf, -0.5, None])
async def test_a_sleep_that_could_not_end_is_refused_before_anything_moves(
    engine: Engine, seconds: Any
) -> None:
    stage = Stuck("stuck_stage")

    async def plan() -> AsyncGenerator[Any, Any]:
        yield Msg("sleep", None, seconds)
        yield Msg("set", stage, 1.0)

    with pytest.raises(ValueError, match="sleep needs a finite number of seconds >= 0"):
        await asyncio.wait_for(engine(run_wrapper(plan())), timeout=10)
    assert stage.moves == []


async def test_count_refuses_a_nan_delay_before_reading_anything(engine: Engine, recorder, det):
    with pytest.raises(ValueError, match="delay"):
        await engine(count([det], num=3, delay=math.nan))
    assert recorder.docs == []


async def test_a_made_up_exit_status_is_refused_and_the_run_still_stops(
    engine: Engine, recorder
) -> None:
    async def plan() -> AsyncGenerator[Any, Any]:
        yield Msg("open_run")
        yield Msg("close_run", exit_status="weird", reason="because")

    with pytest.raises(ValueError, match="exit_status must be one of success, abort, fail"):
        await engine(plan())
    stops = recorder.of("stop")
    assert len(stops) == 1  # the recorder checks it against event-model's schema
    assert stops[0]["exit_status"] == "fail"
    assert "'weird'" in stops[0]["reason"]
    assert recorder.names == ["start", "stop"]

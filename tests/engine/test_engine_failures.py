"""Failures end the run as 'fail' with a stop document naming the error; plans may catch them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any, ClassVar

import pytest

from skyscope.devices import SoftMotor, Status
from skyscope.engine import Engine, FailedStatus, InvalidCommand, Msg, WaitTimeout
from skyscope.plans import count, mv, run_wrapper, trigger_and_read


class Broken:
    """A readable whose read() raises, as a device with a dead connection would."""

    name = "broken"
    parent = None
    hints: ClassVar[dict[str, Any]] = {}

    async def read(self) -> dict[str, Any]:
        raise ConnectionError("lost the connection to the controller")

    async def describe(self) -> dict[str, Any]:
        return {"broken": {"source": "test", "dtype": "number", "shape": []}}


class FailingTrigger(Broken):
    """A detector whose trigger Status fails after a short while."""

    name = "flaky"

    def trigger(self) -> Status[None]:
        async def acquire() -> None:
            await asyncio.sleep(0.01)
            raise RuntimeError("detector overheated")

        return Status(acquire(), name=self.name, action="trigger()")


async def test_a_device_that_raises_fails_the_run(engine: Engine, recorder) -> None:
    with pytest.raises(ConnectionError, match="lost the connection"):
        await engine(count([Broken()]))
    stop = recorder.of("stop")[0]
    assert stop["exit_status"] == "fail"
    assert stop["reason"] == "lost the connection to the controller"  # bluesky's: the message
    assert engine.last_result is not None
    assert engine.last_result.exit_status == "fail"


async def test_a_failed_status_names_the_device(engine: Engine, recorder) -> None:
    with pytest.raises(FailedStatus, match=r"flaky: trigger\(\) failed.*overheated"):
        await engine(count([FailingTrigger()]))
    assert recorder.of("stop")[0]["exit_status"] == "fail"
    assert "flaky" in recorder.of("stop")[0]["reason"]


async def test_a_status_timeout_fails_the_run(engine: Engine, recorder) -> None:
    motor = SoftMotor("sluggish", velocity=0.1)
    await motor.connect()

    async def plan() -> AsyncGenerator[Any, Any]:
        yield Msg("set", motor, 5.0, group="g")
        yield Msg("wait", None, group="g", timeout=0.05)

    with pytest.raises(WaitTimeout, match="sluggish"):
        await engine(run_wrapper(plan()))
    stop = recorder.of("stop")[0]
    assert stop["exit_status"] == "fail"
    assert "sluggish" in stop["reason"]
    assert await motor.readback.get_value() < 1.0  # the engine stopped it on the way out


async def test_a_device_status_timeout_is_a_failure(engine: Engine, recorder) -> None:
    motor = SoftMotor("slow_with_timeout", velocity=0.1)
    await motor.connect()

    async def plan() -> AsyncGenerator[Any, Any]:
        yield Msg("set", motor, 5.0, group="g", timeout=0.05)
        yield Msg("wait", None, group="g")

    with pytest.raises(FailedStatus, match="slow_with_timeout"):
        await engine(run_wrapper(plan()))
    assert recorder.of("stop")[0]["exit_status"] == "fail"


async def test_a_plan_can_catch_a_device_error(engine: Engine, recorder, det) -> None:
    async def plan() -> AsyncGenerator[Any, Any]:
        try:
            yield trigger_and_read([Broken()])
        except ConnectionError:
            yield trigger_and_read([det])

    result = await engine(run_wrapper(plan()))
    assert result.exit_status == "success"
    assert len(recorder.of("event")) == 1


async def test_an_unknown_command_is_thrown_into_the_plan(engine: Engine) -> None:
    caught: list[str] = []

    async def plan() -> AsyncGenerator[Any, Any]:
        try:
            yield Msg("teleport", None)
        except InvalidCommand as error:
            caught.append(str(error))

    await engine(plan())
    assert "teleport" in caught[0]
    assert "register_command" in caught[0]


async def test_register_command_adds_a_command(engine: Engine) -> None:
    async def double(msg: Any) -> Any:
        return msg.args[0] * 2

    engine.register_command("double", double)
    answers: list[int] = []

    async def plan() -> AsyncGenerator[Any, Any]:
        answers.append((yield Msg("double", None, 21)))

    await engine(plan())
    assert answers == [42]
    engine.unregister_command("double")
    assert "double" not in engine.commands


async def test_a_bad_plan_is_refused_before_anything_runs(engine: Engine, recorder) -> None:
    with pytest.raises(TypeError, match="plan function, not a plan"):
        await engine(count)
    with pytest.raises(ValueError, match="must not contain"):
        await engine(count([]), **{"bad.key": 1})
    assert recorder.docs == []


async def test_a_failure_raises_unless_asked_not_to(recorder) -> None:
    engine = Engine(md={}, handle_sigint=False, raise_on_fail=False)
    engine.subscribe(recorder)
    result = await engine(count([Broken()]))
    assert result.exit_status == "fail"
    assert isinstance(result.exception, ConnectionError)


async def test_moves_are_stopped_when_a_plan_fails(engine: Engine, slow_motor) -> None:
    async def plan() -> AsyncGenerator[Any, Any]:
        yield Msg("set", slow_motor, 40.0)
        yield Msg("sleep", None, 0.1)
        raise RuntimeError("analysis crashed")

    with pytest.raises(RuntimeError, match="analysis crashed"):
        await engine(run_wrapper(plan()))
    position = await slow_motor.readback.get_value()
    await asyncio.sleep(0.1)
    assert await slow_motor.readback.get_value() == position < 40.0


async def test_mv_refuses_odd_arguments(engine: Engine, motor) -> None:
    with pytest.raises(ValueError, match="pairs"):
        await engine(mv(motor))


async def test_a_failed_run_gives_the_error_message_as_reason(engine: Engine, recorder) -> None:
    """As bluesky's RunEngine: the stop's reason is the message ("womp womp"), not its type."""

    async def failing() -> AsyncGenerator[Any, Any]:
        yield Msg("open_run")
        raise RuntimeError("womp womp")

    with pytest.raises(RuntimeError, match="womp womp"):
        await engine(failing())
    assert recorder.of("stop")[0]["reason"] == "womp womp"

"""A Status that fails while the plan is not waiting for it fails the plan at its next step.

As in bluesky: a failure nobody waits for is not lost, and one a wait already reported (or a
move a timed-out wait already stopped) is not reported twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

import pytest

from skyscope.devices import Status
from skyscope.engine import Engine, FailedStatus, Msg, WaitTimeout
from skyscope.plans import run_wrapper


class Failing:
    """A real device whose moves fail: at once, or when ``release`` is set; or never end.

    Made here rather than mocked: it returns skyscope Statuses, only its work is a stand-in.
    """

    def __init__(self, name: str, mode: str) -> None:
        self.name = name
        self.parent = None
        self.mode = mode
        self.release = asyncio.Event()
        self.running: list[Status[None]] = []

    def set(self, value: Any) -> Status[None]:
        action = f"set({value!r})"
        if self.mode == "at_once":
            return Status.failed(LookupError("movement failed"), name=self.name, action=action)
        status = Status(self._work(), name=self.name, action=action)
        self.running.append(status)
        return status

    async def _work(self) -> None:
        await self.release.wait()
        if self.mode == "later":
            raise LookupError("movement failed")
        await asyncio.Event().wait()  # "stuck": until stopped

    async def stop(self, success: bool = True) -> None:
        for status in self.running:
            status.cancel("stopped")
        self.running.clear()


async def test_an_unwaited_failure_is_raised_into_the_next_step(engine: Engine, recorder) -> None:
    stage = Failing("failing_stage", "at_once")
    seen: list[BaseException] = []

    async def plan() -> AsyncGenerator[Any, Any]:
        try:
            yield Msg("set", stage, 10)  # nobody waits for it
            yield Msg("null")
        except FailedStatus as error:  # raised as soon as the plan is resumed
            seen.append(error)

    await engine(run_wrapper(plan()))
    assert len(seen) == 1
    assert "failing_stage" in str(seen[0])
    assert "movement failed" in str(seen[0])  # the device's own reason
    assert recorder.of("stop")[0]["exit_status"] == "success"  # the plan caught it


async def test_an_unwaited_failure_fails_a_plan_that_ends_there(engine: Engine, recorder) -> None:
    stage = Failing("failing_stage", "at_once")

    async def plan() -> AsyncGenerator[Any, Any]:
        yield Msg("set", stage, 10)

    with pytest.raises(FailedStatus, match="failing_stage"):
        await engine(run_wrapper(plan()))
    assert recorder.of("stop")[0]["exit_status"] == "fail"


async def test_a_move_failing_during_a_sleep_is_raised_after_it(engine: Engine) -> None:
    stage = Failing("failing_stage", "later")
    seen: list[bool] = []

    async def plan() -> AsyncGenerator[Any, Any]:
        status = yield Msg("set", stage, 10, group="g")
        stage.release.set()
        try:
            while True:  # synchronise on the failure, not on time
                yield Msg("sleep", None, 0.01)
        except FailedStatus:
            seen.append(status.done)
            raise

    with pytest.raises(FailedStatus, match="failing_stage"):
        await engine(run_wrapper(plan()))
    assert seen == [True]  # raised at the first step after the move failed


@pytest.mark.parametrize("limit", [{}, {"timeout": 30}])  # a time limit wraps it in a Deadline
async def test_a_failure_a_wait_reported_is_not_raised_again(
    engine: Engine, recorder, limit: dict[str, float]
) -> None:
    stage = Failing("failing_stage", "later")
    caught: list[BaseException] = []

    async def plan() -> AsyncGenerator[Any, Any]:
        yield Msg("set", stage, 10, group="g", **limit)
        stage.release.set()
        try:
            yield Msg("wait", None, group="g")
        except FailedStatus as error:
            caught.append(error)
        yield Msg("null")
        yield Msg("null")

    await engine(run_wrapper(plan()))
    assert len(caught) == 1
    assert recorder.of("stop")[0]["exit_status"] == "success"


@pytest.mark.parametrize("where", ["wait", "set"])
async def test_a_move_a_timed_out_wait_stopped_is_not_reported_twice(
    engine: Engine, recorder, where: str
) -> None:
    stage = Failing("stuck_stage", "stuck")
    caught: list[BaseException] = []
    set_kw = {"timeout": 0.05} if where == "set" else {}
    wait_kw = {"timeout": 0.05} if where == "wait" else {}

    async def plan() -> AsyncGenerator[Any, Any]:
        status = yield Msg("set", stage, 10, group="g", **set_kw)
        failed = asyncio.Event()
        status.add_callback(lambda _status: failed.set())
        stage.release.set()
        try:
            yield Msg("wait", None, group="g", **wait_kw)
        except WaitTimeout as error:
            caught.append(error)
        yield Msg("wait_for", None, [failed.wait])  # the stopped move's status fails after it
        yield Msg("null")

    await engine(run_wrapper(plan()))
    assert len(caught) == 1
    assert "stuck_stage" in str(caught[0])
    assert recorder.of("stop")[0]["exit_status"] == "success"

"""``wait_for`` hands the plan its tasks, as bluesky does; a failed one the plan does not look
at is thrown into it at its next step (that message does not run), or fails the run."""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from typing import Any

import pytest

from skyscope.engine import Engine, Msg


async def fails() -> None:
    raise RuntimeError("camera gone")


async def succeeds() -> int:
    return 7


async def test_a_failure_the_plan_looks_at_is_its_own_to_handle(engine: Engine) -> None:
    seen: list[Any] = []

    def plan() -> Generator[Any, Any, None]:
        good, bad = yield Msg("wait_for", None, [succeeds, fails])
        seen.extend([good.result(), type(bad.exception())])
        yield Msg("null")

    result = await engine(plan())
    assert result.exit_status == "success"
    assert seen == [7, RuntimeError]


async def test_a_failure_the_plan_ignores_is_thrown_in_before_its_next_message(
    engine: Engine,
) -> None:
    commands: list[str] = []
    engine.msg_hook = lambda msg: commands.append(msg.command)

    def plan() -> Generator[Any, Any, None]:
        tasks = yield Msg("wait_for", None, [fails])
        assert isinstance(tasks[0], asyncio.Task)
        yield Msg("null")

    with pytest.raises(RuntimeError, match="camera gone"):
        await engine(plan())
    assert commands == ["wait_for"]  # the null never ran


async def test_a_plan_ending_past_an_ignored_failure_fails(engine: Engine) -> None:
    def plan() -> Generator[Any, Any, None]:
        yield Msg("wait_for", None, [fails])

    with pytest.raises(RuntimeError, match="camera gone"):
        await engine(plan())
    assert engine.last_result is not None
    assert engine.last_result.exit_status == "fail"

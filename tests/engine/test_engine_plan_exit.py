"""A plan that raises GeneratorExit itself fails the run as in bluesky: the plans around it are
closed, not thrown into, and the ones that tried to yield on close are named on stdout."""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from typing import Any

import pytest

from skyscope.engine import Engine, EngineState, Msg, PlanExited

YIELDED_ON_CLOSE = "tried to yield a value on close.  Please fix your plan."


def exiting() -> Generator[Any, Any, None]:
    yield Msg("null")
    raise GeneratorExit("this one")


async def test_a_plan_raising_generator_exit_fails_its_run(engine: Engine, recorder: Any) -> None:
    def plan() -> Generator[Any, Any, None]:
        yield Msg("open_run")
        yield from exiting()

    with pytest.raises(PlanExited) as raised:
        await engine(plan())
    assert isinstance(raised.value, ValueError)
    assert raised.value.__cause__ is not None
    assert raised.value.__cause__.args == ("this one",)
    assert [doc["exit_status"] for doc in recorder.of("stop")] == ["fail"]
    assert engine.state is EngineState.IDLE


async def test_a_side_plan_raising_generator_exit_closes_the_held_plan(
    engine: Engine, recorder: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    cleanup: list[str] = []

    def yields_on_close() -> Generator[Any, Any, None]:
        yield Msg("open_run")
        try:
            yield Msg("pause")
        finally:
            cleanup.append("finally")
            yield Msg("null")
            cleanup.append("cleanup ran")

    paused = await engine(yields_on_close())
    assert paused.state is EngineState.PAUSED
    cleared = asyncio.Event()
    cleared.set()
    engine.request_suspend(cleared.wait, pre_plan=exiting())
    capsys.readouterr()
    with pytest.raises(PlanExited):
        await engine.resume()
    out = capsys.readouterr().out
    assert out.startswith("The plan ")
    assert out.endswith(YIELDED_ON_CLOSE + "\n")
    assert cleanup == ["finally"]  # closed, so the yield in its finally went nowhere
    assert [doc["exit_status"] for doc in recorder.of("stop")] == ["fail"]

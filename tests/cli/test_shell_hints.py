"""The shell's hints for a forgotten await, and tracebacks shortened to the plan's frames."""

from __future__ import annotations

import traceback
from collections.abc import AsyncGenerator
from typing import Any

import pytest

from skyscope.cli._shell_hints import hint_for, shorten
from skyscope.devices import SoftDetector
from skyscope.engine import Engine, Msg
from skyscope.plans import count


async def lost_focus() -> AsyncGenerator[Any, Any]:
    yield Msg("null")
    raise ValueError("focus lost")


async def test_a_coroutine_or_a_plan_as_a_cell_result_gets_a_hint() -> None:
    engine = Engine(md={}, handle_sigint=False)
    det = SoftDetector("det")
    coroutine = engine(count([det], 1))
    try:
        assert hint_for(coroutine) == (
            "hint: Engine.__call__(...) is a coroutine and has not run: put `await` in front of it"
        )
    finally:
        coroutine.close()
    plan = count([det], 1)
    hint = hint_for(plan)
    assert hint is not None
    assert hint.startswith("hint: count(...) is a plan and has not run: `await engine(count(")
    assert "engine.start(count(...))" in hint
    assert hint_for(3) is None
    assert hint_for(None) is None


async def test_a_plan_traceback_keeps_the_callers_and_the_plans_frames() -> None:
    engine = Engine(md={}, handle_sigint=False)
    with pytest.raises(ValueError, match="focus lost") as caught:
        await engine(lost_focus())
    full = traceback.extract_tb(caught.value.__traceback__)
    short_tb, hidden = shorten(caught.value.__traceback__)
    short = traceback.extract_tb(short_tb)
    assert hidden == len(full) - len(short) > 0
    names = [frame.name for frame in short]
    assert names[0] == "test_a_plan_traceback_keeps_the_callers_and_the_plans_frames"
    assert names[-1] == "lost_focus"
    assert not [f for f in short if "/skyscope/engine/" in f.filename]


def test_a_traceback_that_never_went_through_the_engine_is_unchanged() -> None:
    try:
        int("x")
    except ValueError as error:
        short_tb, hidden = shorten(error.__traceback__)
    assert hidden == 0
    assert short_tb is not None
    assert traceback.extract_tb(short_tb)[0].name == (
        "test_a_traceback_that_never_went_through_the_engine_is_unchanged"
    )

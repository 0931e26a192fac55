"""A hold requested on a paused engine acts on resume; its pre-plan's error is thrown into
the plan at the message where it stopped, as bluesky does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Generator
from typing import Any

import pytest

from skyscope.engine import Engine, EngineState, Msg


async def test_a_failing_pre_plan_is_thrown_into_the_paused_plan(engine: Engine) -> None:
    caught: list[BaseException] = []

    async def pausing() -> AsyncGenerator[Any, Any]:
        yield Msg("null")
        try:
            yield Msg("pause")
        except Exception as error:
            caught.append(error)
            raise

    def failing_pre_plan() -> Generator[Any, Any, None]:
        yield Msg("no_such_command")

    paused = await engine(pausing())
    assert paused.state is EngineState.PAUSED
    cleared = asyncio.Event()
    cleared.set()
    engine.request_suspend(cleared.wait, pre_plan=failing_pre_plan())
    with pytest.raises(KeyError, match="no_such_command"):
        await engine.resume()
    assert len(caught) == 1
    assert isinstance(caught[0], KeyError)
    assert "no_such_command" in str(caught[0])

"""A suspender holding the plan: seen as a ``wait_for`` message, ended by a pause, held again
on resume while still tripped, and holding a plan from its first message when tripped before."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any

import pytest

from skyscope.devices import soft_signal_rw
from skyscope.engine import Engine, EngineState, Msg, SuspendBoolHigh
from skyscope.plans import checkpoint


async def _until(predicate: Any, timeout: float = 5.0) -> None:
    """Poll a condition seen from outside the engine (its state)."""
    async with asyncio.timeout(timeout):
        while not predicate():  # noqa: ASYNC110 - the engine's state has no event to wait on
            await asyncio.sleep(0.005)


async def _tripped_suspender(engine: Engine) -> tuple[Any, SuspendBoolHigh]:
    beam_down = soft_signal_rw(bool, True, name="beam_down")
    await beam_down.connect()
    suspender = SuspendBoolHigh(beam_down)
    engine.install_suspender(suspender)
    return beam_down, suspender


async def _plan() -> AsyncGenerator[Any, Any]:
    yield checkpoint()
    yield Msg("null")


WhileHeld = Callable[[Engine, "asyncio.Task[Any]"], Awaitable["asyncio.Task[Any]"]]
"""What the operator does while the suspender holds: the task to await afterwards."""


async def _released(engine: Engine, running: asyncio.Task[Any]) -> asyncio.Task[Any]:
    """The operator waits for the beam: the plan goes on once the suspender is released."""
    return running


async def _paused_and_resumed(engine: Engine, running: asyncio.Task[Any]) -> asyncio.Task[Any]:
    """A pause ends the hold (the operator wants the prompt back); resumed, it holds again."""
    engine.request_pause()
    paused = await running
    assert paused.paused
    assert engine.state is EngineState.PAUSED
    resumed = asyncio.create_task(engine.resume())
    await _until(lambda: engine.state == EngineState.SUSPENDED)  # still tripped: held
    return resumed


@pytest.mark.parametrize(
    ("while_held", "expected"),
    [
        (_released, ["wait_for", "checkpoint", "null"]),
        (_paused_and_resumed, ["wait_for", "wait_for", "checkpoint", "null"]),
    ],
    ids=["released", "paused-and-resumed"],
)
async def test_a_pretripped_suspender_holds_before_the_first_message(
    engine: Engine, while_held: WhileHeld, expected: list[str]
) -> None:
    commands: list[str] = []
    engine.msg_hook = lambda msg: commands.append(msg.command)
    beam_down, suspender = await _tripped_suspender(engine)
    try:
        running = asyncio.create_task(engine(_plan()))
        await _until(lambda: engine.state == EngineState.SUSPENDED)
        assert commands == ["wait_for"]  # the hold, shown as bluesky shows it
        running = await while_held(engine, running)
        await beam_down.set(False)
        result = await running
    finally:
        engine.remove_suspender(suspender)
    assert result.exit_status == "success"
    assert commands == expected


async def test_a_deferred_pause_asked_while_held_waits_for_the_checkpoint(engine: Engine) -> None:
    beam_down, suspender = await _tripped_suspender(engine)
    try:
        task = asyncio.create_task(engine(_plan()))
        await _until(lambda: engine.state == EngineState.SUSPENDED)
        engine.request_pause(defer=True)
        assert engine.state is EngineState.SUSPENDED
        await beam_down.set(False)
        paused = await task
    finally:
        engine.remove_suspender(suspender)
    assert paused.paused
    assert (await engine.resume()).exit_status == "success"

"""``record_interruptions``: pauses, resumes and holds leave events in the run's own
'interruptions' stream (every document checked against event-model's schema)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

import pytest

from skyscope.devices import soft_signal_rw
from skyscope.engine import Engine, EngineState, Msg, SuspendBoolHigh


async def _plan() -> AsyncGenerator[Any, Any]:
    yield Msg("pause")  # outside a run: nothing to record it in
    yield Msg("open_run")
    yield Msg("pause")
    yield Msg("close_run")


async def _run_and_resume(engine: Engine) -> None:
    assert (await engine(_plan())).paused
    assert (await engine.resume()).paused
    assert (await engine.resume()).exit_status == "success"


@pytest.mark.parametrize("record", [False, True])
async def test_pauses_and_resumes_are_recorded_when_asked(
    engine: Engine, recorder, record: bool
) -> None:
    engine.record_interruptions = record
    await _run_and_resume(engine)
    descriptors = recorder.of("descriptor")
    events = [e["data"]["interruption"] for e in recorder.of("event")]
    if not record:
        assert descriptors == []
        assert events == []
        return
    assert [d["name"] for d in descriptors] == ["interruptions"]
    assert events == ["pause", "resume"]
    assert recorder.of("stop")[0]["num_events"] == {"interruptions": 2}


async def test_a_hold_is_recorded_with_its_reason(engine: Engine, recorder) -> None:
    engine.record_interruptions = True
    beam_down = soft_signal_rw(bool, False, name="beam_down")
    await beam_down.connect()
    suspender = SuspendBoolHigh(beam_down)
    engine.install_suspender(suspender)

    async def plan() -> AsyncGenerator[Any, Any]:
        yield Msg("open_run")
        yield Msg("checkpoint")
        yield Msg("sleep", None, 30)  # the hold interrupts it; the test stops the plan held
        yield Msg("close_run")

    try:
        task = asyncio.create_task(engine(plan()))
        while not recorder.of("start"):  # noqa: ASYNC110 - documents have no event to wait on
            await asyncio.sleep(0.005)
        await beam_down.set(True)
        while engine.state is not EngineState.SUSPENDED:  # noqa: ASYNC110 - nor does the state
            await asyncio.sleep(0.005)
        await engine.stop()
        await task
    finally:
        engine.remove_suspender(suspender)
    (event,) = recorder.of("event")
    assert "beam_down" in event["data"]["interruption"]

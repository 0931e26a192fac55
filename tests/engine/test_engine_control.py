"""Pause, resume, rewind, suspenders, stop, abort and halt — while embedded in a running loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

import pytest

from skyscope.devices import SoftDetector, SoftMotor, soft_signal_rw
from skyscope.engine import Engine, EngineState, Msg, SuspendBoolHigh
from skyscope.plans import checkpoint, count, finalize_wrapper, mv, run_wrapper, sleep


async def _until(predicate: Any, timeout: float = 5.0) -> None:
    """Poll a condition seen from outside the engine (a position, a document count)."""
    async with asyncio.timeout(timeout):
        while not predicate():  # noqa: ASYNC110 - the conditions have no event to wait on
            await asyncio.sleep(0.005)


async def test_hard_pause_returns_control_and_resume_rewinds(engine: Engine, recorder, det) -> None:
    task = asyncio.create_task(engine(count([det], 3, delay=0.3)))
    await _until(lambda: len(recorder.of("event")) == 1)
    engine.request_pause()
    paused = await task
    assert paused.paused
    assert paused.exit_status is None
    assert engine.state == EngineState.PAUSED
    assert recorder.names[-1] == "event"  # no stop document: the run is only paused
    result = await engine.resume()
    assert result.exit_status == "success"
    assert result.run_start_uids == paused.run_start_uids
    events = recorder.of("event")
    assert [e["seq_num"] for e in events] == [1, 2, 3]
    assert recorder.of("stop")[0]["num_events"] == {"primary": 3}


async def test_deferred_pause_waits_for_the_next_checkpoint(engine: Engine, recorder) -> None:
    seen: list[str] = []

    async def plan() -> AsyncGenerator[Any, Any]:
        yield Msg("open_run")
        yield checkpoint()
        engine.request_pause(defer=True)
        seen.append("after request")
        yield Msg("null")
        yield checkpoint()
        seen.append("after second checkpoint")
        yield Msg("close_run")

    paused = await engine(plan())
    assert paused.paused
    assert seen == ["after request"]
    done = await engine.resume()
    assert done.exit_status == "success"
    assert seen[-1] == "after second checkpoint"


async def test_pause_after_clear_checkpoint_aborts_with_reason(engine: Engine, recorder) -> None:
    async def plan() -> AsyncGenerator[Any, Any]:
        yield Msg("open_run")
        yield Msg("clear_checkpoint")
        yield sleep(5)
        yield Msg("close_run")

    task = asyncio.create_task(engine(plan()))
    await _until(lambda: engine.state == EngineState.RUNNING and len(recorder.docs) == 1)
    await asyncio.sleep(0.05)
    engine.request_pause()
    result = await task
    assert result.exit_status == "abort"
    assert "cannot be rewound" in result.reason
    assert recorder.of("stop")[0]["exit_status"] == "abort"


async def test_abort_mid_move_stops_the_motor(engine: Engine, recorder, slow_motor) -> None:
    task = asyncio.create_task(engine(run_wrapper(mv(slow_motor, 50.0))))
    await _until(lambda: slow_motor.readback._soft_backend().value > 0.1)  # type: ignore[union-attr]
    result = await engine.abort("operator said so")
    assert (await task) == result
    assert result.exit_status == "abort"
    assert result.reason == "operator said so"
    position = await slow_motor.readback.get_value()
    await asyncio.sleep(0.2)
    assert await slow_motor.readback.get_value() == position < 50.0  # stopped, not drifting
    assert recorder.of("stop")[0]["exit_status"] == "abort"


async def test_stop_ends_a_paused_plan_as_success(engine: Engine, recorder, det) -> None:
    task = asyncio.create_task(engine(count([det], 10, delay=0.2)))
    await _until(lambda: len(recorder.of("event")) == 1)
    engine.request_pause()
    await task
    result = await engine.stop()
    assert result.exit_status == "success"
    assert recorder.of("stop")[0]["exit_status"] == "success"
    assert recorder.of("stop")[0]["num_events"]["primary"] < 10


@pytest.mark.parametrize(
    ("ending", "reason", "cleanup_ran"), [("halt", "halted", False), ("abort", "", True)]
)
async def test_abort_runs_the_plans_cleanup_and_halt_skips_it(
    engine: Engine, recorder, ending: str, reason: str, cleanup_ran: bool
) -> None:
    cleaned: list[bool] = []

    async def cleanup() -> AsyncGenerator[Any, Any]:
        cleaned.append(True)
        yield Msg("null")

    task = asyncio.create_task(engine(run_wrapper(finalize_wrapper(sleep(10), cleanup))))
    await _until(lambda: len(recorder.docs) == 1)
    await asyncio.sleep(0.05)
    result = await getattr(engine, ending)()
    await task
    assert result.exit_status == "abort"
    assert result.reason == reason
    assert cleaned == ([True] if cleanup_ran else [])
    assert recorder.of("stop")[0]["exit_status"] == "abort"


async def test_suspender_holds_the_plan_until_it_clears(engine: Engine, recorder, det) -> None:
    beam_down = soft_signal_rw(bool, False, name="beam_down")
    await beam_down.connect()
    suspender = SuspendBoolHigh(beam_down, sleep=0.05)
    engine.install_suspender(suspender)
    try:
        task = asyncio.create_task(engine(count([det], 4, delay=0.1)))
        await _until(lambda: len(recorder.of("event")) == 1)
        await beam_down.set(True)
        await _until(lambda: engine.state == EngineState.SUSPENDED)
        held = len(recorder.of("event"))
        await asyncio.sleep(0.3)
        assert len(recorder.of("event")) == held  # nothing acquired while held
        await beam_down.set(False)
        result = await task
    finally:
        engine.remove_suspender(suspender)
    assert result.exit_status == "success"
    assert [e["seq_num"] for e in recorder.of("event")] == [1, 2, 3, 4]


async def test_other_tasks_keep_running_while_a_plan_runs(engine: Engine, slow_motor) -> None:
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    tick_task = asyncio.create_task(ticker())
    try:
        await engine(run_wrapper(mv(slow_motor, 0.5)))  # 0.25 s at 2 mm/s
    finally:
        tick_task.cancel()
        await asyncio.gather(tick_task, return_exceptions=True)
    assert ticks >= 10
    assert await slow_motor.readback.get_value() == 0.5


async def test_engine_refuses_a_second_plan_while_busy(engine: Engine, det) -> None:

    from skyscope.engine import EngineStateError

    task = asyncio.create_task(engine(count([det], 2, delay=0.1)))
    await asyncio.sleep(0.02)
    with pytest.raises(EngineStateError, match="running"):
        await engine(count([det]))
    await task


async def test_run_sync_from_plain_code() -> None:
    def body() -> tuple[Any, Any]:
        engine = Engine(md={}, handle_sigint=False)
        try:
            det = SoftDetector("sync_det")
            engine.run_sync(det.connect())
            return engine.run_sync(count([det], 2)), engine
        finally:
            engine.close()

    result, _ = await asyncio.to_thread(body)
    assert result.exit_status == "success"


async def test_progress_reaches_the_callback(slow_motor: SoftMotor) -> None:
    updates: list[Any] = []
    engine = Engine(md={}, handle_sigint=False, progress=updates.append)
    await engine(run_wrapper(mv(slow_motor, 0.3)))
    assert updates
    assert updates[-1].fraction == 1.0
    assert {u.name for u in updates} == {"slow"}

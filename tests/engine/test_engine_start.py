"""``engine.start(plan)``: a plan in the background, a handle to await, control and watch it."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncGenerator
from typing import Any

import pytest
import useq

from skyscope.devices import SoftDetector
from skyscope.devices.sim import Microscope, SensorSpec
from skyscope.engine import Engine, EngineStateError, Msg, RunHandle
from skyscope.plans import count, mda


async def ticking(beats: asyncio.Event, det: SoftDetector) -> AsyncGenerator[Any, Any]:
    """Read ``det`` until stopped, setting ``beats`` at every reading (a plan with no end)."""
    yield Msg("open_run", plan_name="ticking")
    try:
        while True:
            yield Msg("checkpoint")
            yield Msg("trigger", det, group="t")
            yield Msg("wait", group="t")
            yield Msg("create", name="primary")
            yield Msg("read", det)
            yield Msg("save")
            beats.set()
            yield Msg("sleep", None, 0.005)
    finally:
        yield Msg("close_run")


async def failing() -> AsyncGenerator[Any, Any]:
    yield Msg("null")
    raise ValueError("the sample moved")


async def beats_after(beats: asyncio.Event, count_now: int = 1) -> None:
    for _ in range(count_now):
        beats.clear()
        await beats.wait()


async def test_start_returns_at_once_and_await_gives_the_result(
    engine: Engine, det: SoftDetector
) -> None:
    handle = engine.start(count([det], 5), sample="bead")
    assert isinstance(handle, RunHandle)
    assert not handle.done()
    result = await handle
    assert handle.done()
    assert result.exit_status == "success"
    assert len(result.run_start_uids) == 1
    assert handle.result() is result
    assert handle.progress.frames_done == 5
    assert handle.progress.frames_total == 5
    assert handle.progress.fraction == 1.0
    assert handle.progress.eta_s == 0.0
    assert engine.state == "idle"


async def test_the_plan_runs_while_the_caller_does_other_things(
    engine: Engine, det: SoftDetector
) -> None:
    beats = asyncio.Event()
    handle = engine.start(ticking(beats, det))
    await beats_after(beats, 3)  # the caller only waited: the plan ran meanwhile
    assert handle.progress.frames_done >= 3
    assert handle.progress.frames_total is None
    assert "frames" in repr(handle)
    result = await handle.stop()
    assert result.exit_status == "success"
    assert handle.state == "idle"


async def test_a_second_start_names_the_plan_under_way(engine: Engine, det: SoftDetector) -> None:
    beats = asyncio.Event()
    handle = engine.start(ticking(beats, det))
    with pytest.raises(EngineStateError, match=r"running ticking .*engine\.start"):
        engine.start(count([det], 1))
    await beats_after(beats)
    with pytest.raises(EngineStateError, match="running"):
        await engine(count([det], 1))
    await handle.abort("enough")
    assert (await handle).exit_status == "abort"
    running = asyncio.ensure_future(engine(ticking(beats, det)))  # started by `await engine`
    await beats_after(beats)
    with pytest.raises(EngineStateError, match="the engine is running with ticking"):
        engine.start(count([det], 1))
    await engine.stop()
    await running
    assert (await handle).reason == "enough"


async def test_pause_and_resume_through_the_handle(engine: Engine, det: SoftDetector) -> None:
    beats = asyncio.Event()
    handle = engine.start(ticking(beats, det))
    await beats_after(beats)
    paused = await handle.pause()
    assert paused.paused
    assert engine.state == "paused"
    assert not handle.done()  # a pause does not end the handle
    frames = handle.progress.frames_done
    handle.resume()
    await beats_after(beats)
    assert handle.progress.frames_done > frames
    result = await handle.stop()
    assert result.exit_status == "success"
    assert not result.paused


async def test_await_returns_when_the_plan_pauses_as_await_engine_does(
    engine: Engine, det: SoftDetector
) -> None:
    beats = asyncio.Event()
    handle = engine.start(ticking(beats, det))
    await beats_after(beats)
    engine.request_pause()  # what Ctrl-C does: the awaiting caller gets its prompt back
    paused = await handle
    assert paused.paused
    assert not handle.done()
    assert (await handle) is paused  # still paused: at once again
    handle.resume()  # (``await handle.resume()`` would wait for the end: this plan has none)
    await beats_after(beats)
    result = await handle.stop()
    assert result.exit_status == "success"
    assert handle.done()


async def test_a_paused_plan_can_be_aborted_through_the_handle(
    engine: Engine, det: SoftDetector
) -> None:
    beats = asyncio.Event()
    handle = engine.start(ticking(beats, det))
    await beats_after(beats)
    await handle.pause()
    with pytest.raises(EngineStateError, match="cannot pause"):
        handle.pause()
    result = await handle.abort("user changed the sample")
    assert result.exit_status == "abort"
    assert result.reason == "user changed the sample"


async def test_ending_a_paused_plan_from_the_engine_ends_the_handle(
    engine: Engine, det: SoftDetector
) -> None:
    beats = asyncio.Event()
    handle = engine.start(ticking(beats, det))
    await beats_after(beats)
    await handle.pause()
    direct = await engine.stop()  # not through the handle
    assert (await handle) == direct


async def test_a_plan_exception_surfaces_on_await(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    handle = engine.start(failing())
    with pytest.raises(ValueError, match="the sample moved"):
        await handle
    with pytest.raises(ValueError, match="the sample moved"):
        handle.result()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_failure_nobody_awaits_is_logged_once(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    handle = engine.start(failing())
    finished = asyncio.Event()
    handle._task.add_done_callback(lambda _: finished.set())
    await finished.wait()
    await asyncio.sleep(0)  # the handle's own done-callback was scheduled before ours
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "failing" in errors[0].getMessage()
    assert "the sample moved" in errors[0].getMessage()
    assert errors[0].exc_info is not None


async def test_bad_input_is_refused_before_anything_runs(engine: Engine, det: SoftDetector) -> None:
    with pytest.raises(TypeError, match="count is a plan function"):
        engine.start(count)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="run metadata"):
        engine.start(count([det], 1), **{"bad.key": 1})
    assert engine._handle is None
    assert engine.state == "idle"


def test_start_without_an_event_loop_says_where_it_works() -> None:
    engine = Engine(md={}, handle_sigint=False)
    raised: list[BaseException] = []

    def start_here() -> None:  # a fresh thread has no event loop set (pytest's main one has)
        try:
            engine.start(count([], 1))
        except BaseException as error:
            raised.append(error)

    thread = threading.Thread(target=start_here)
    thread.start()
    thread.join()
    assert len(raised) == 1
    assert isinstance(raised[0], EngineStateError)
    assert "needs an event loop" in str(raised[0])


async def test_mda_progress_counts_frames_and_lateness(tmp_path: Any) -> None:
    scope = Microscope(seed=1, sensor=SensorSpec(shape=(64, 64)))
    await scope.connect()
    engine = Engine(md={}, handle_sigint=False)
    sequence = useq.MDASequence(time_plan={"interval": 0.02, "loops": 4})
    handle = engine.start(mda(sequence, scope))
    assert handle.progress.summary() == "no run yet"
    gaps: list[float] = []

    async def tick() -> None:  # the caller's loop keeps turning while the plan runs
        last = time.perf_counter()
        while not handle.done():
            await asyncio.sleep(0.002)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticker = asyncio.ensure_future(tick())
    result = await handle
    await ticker
    assert len(gaps) > 3
    assert max(gaps) < 1.0  # loose: a noisy shared machine; ~10 ms here
    assert result.exit_status == "success"
    progress = handle.progress
    assert (progress.frames_done, progress.frames_total) == (4, 4)
    assert progress.lateness_s is not None
    assert progress.summary().startswith("4/4 frames, ETA 0:00")
    assert "s late" in progress.summary()


async def test_a_stop_right_after_a_resume_wins(engine: Engine, det: SoftDetector) -> None:
    beats = asyncio.Event()
    handle = engine.start(ticking(beats, det))
    await beats_after(beats)
    await handle.pause()
    handle.resume()
    result = await handle.stop()  # asked before the handle's task took the resume
    assert result.exit_status == "success"
    assert handle.done()

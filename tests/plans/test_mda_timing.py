"""Time-lapse: frames start on schedule, lateness is recorded, and a pause shifts the schedule."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import useq
from _docs import stream_events
from _sim_scope import make_scope, release

from skyscope.devices.sim import Microscope
from skyscope.engine import Engine
from skyscope.plans import mda

INTERVAL = 0.15


@pytest.fixture
async def scope() -> AsyncIterator[Microscope]:
    microscope = await make_scope()
    yield microscope
    await release(microscope)


def _events(docs: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    return [doc["data"] for doc in stream_events(docs)]


async def _until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():  # noqa: ASYNC110 - documents arrive with no event to wait on
            await asyncio.sleep(0.002)


async def test_each_frame_starts_at_its_scheduled_time(scope: Microscope) -> None:
    engine = Engine(md={}, handle_sigint=False)
    docs: list[tuple[str, Any]] = []
    engine.subscribe(lambda name, doc: docs.append((name, doc)))
    sequence = useq.MDASequence(time_plan={"interval": INTERVAL, "loops": 4})

    begun = time.monotonic()
    await engine(mda(sequence, scope))
    took = time.monotonic() - begun

    frames = _events(docs)
    scheduled = [f["scheduled_s"] for f in frames]
    assert [b - a for a, b in itertools.pairwise(scheduled)] == pytest.approx(
        [INTERVAL] * 3, abs=1e-6
    )
    assert all(0 <= f["lateness_s"] < 0.05 for f in frames)
    assert [f["started_s"] - f["scheduled_s"] for f in frames] == pytest.approx(
        [f["lateness_s"] for f in frames]
    )
    assert took >= 3 * INTERVAL


async def test_a_pause_shifts_the_rest_of_the_schedule(scope: Microscope) -> None:
    engine = Engine(md={}, handle_sigint=False)
    docs: list[tuple[str, Any]] = []
    engine.subscribe(lambda name, doc: docs.append((name, doc)))
    sequence = useq.MDASequence(time_plan={"interval": INTERVAL, "loops": 4})

    task = asyncio.create_task(engine(mda(sequence, scope)))
    await _until(lambda: len(_events(docs)) == 2)
    engine.request_pause()  # during the wait for the third frame
    paused = await task
    assert paused.paused
    paused_at = time.monotonic()
    await asyncio.sleep(0.3)
    resumed_at = time.monotonic()
    result = await engine.resume()
    assert result.exit_status == "success"

    frames = _events(docs)
    assert [f["t"] for f in frames] == [0, 1, 2, 3]
    shift = [f["scheduled_s"] - k * INTERVAL for k, f in enumerate(frames)]
    assert shift[1] == pytest.approx(shift[0], abs=1e-6)
    gap = resumed_at - paused_at
    assert shift[2] - shift[0] == pytest.approx(gap, abs=0.05)
    assert shift[3] == pytest.approx(shift[2], abs=1e-6)
    assert all(0 <= f["lateness_s"] < 0.05 for f in frames)  # not late by the pause


async def test_frames_without_a_time_plan_are_never_late(scope: Microscope) -> None:
    engine = Engine(md={}, handle_sigint=False)
    docs: list[tuple[str, Any]] = []
    engine.subscribe(lambda name, doc: docs.append((name, doc)))
    sequence = useq.MDASequence(channels=["DAPI", "FITC"], z_plan={"range": 1, "step": 1})
    taken = await engine(mda(sequence, scope))
    assert taken.plan_result == 4
    assert [f["lateness_s"] for f in _events(docs)] == [0.0] * 4
    # a relative z plan with no position z counts from where the focus was
    assert [f["z_um"] for f in _events(docs)] == pytest.approx([2499.5, 2500.5] * 2)
    start = next(doc for name, doc in docs if name == "start")
    assert useq.MDASequence.model_validate(start["mda_sequence"]) == sequence
    assert start["num_points"] == 4

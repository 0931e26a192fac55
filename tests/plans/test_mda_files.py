"""MDA frames in files: written by the plan (mda(writer=...)) or by the camera (hardware bursts)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest
import useq
import zarr
from _docs import stream_events
from _sim_scope import make_scope, release

from skyscope.documents import RunChecker
from skyscope.engine import Engine
from skyscope.plans import mda
from skyscope.writers import HDF5FrameWriter, OMEZarrFrameWriter


def _collect(engine: Engine) -> list[tuple[str, Any]]:
    docs: list[tuple[str, Any]] = []
    engine.subscribe(lambda name, doc: docs.append((name, doc)))
    return docs


def _of(docs: list[tuple[str, Any]], kind: str) -> list[Any]:
    return [doc for name, doc in docs if name == kind]


def _frame_numbers(frames: np.ndarray) -> list[int]:
    """Pattern-mode frames carry the camera's frame number in pixel 0."""
    return [int(f.flat[0]) for f in frames]


def _check_datums_cover(docs: list[tuple[str, Any]], frames: int) -> None:
    datums = _of(docs, "stream_datum")
    covered = [i for d in datums for i in range(d["indices"]["start"], d["indices"]["stop"])]
    seq_nums = [s for d in datums for s in range(d["seq_nums"]["start"], d["seq_nums"]["stop"])]
    assert covered == list(range(frames))
    assert seq_nums == list(range(1, frames + 1))
    events = stream_events(docs)
    assert [d["seq_nums"]["start"] for d in datums] == [e["seq_num"] for e in events]


async def test_the_plan_writes_frames_to_ome_zarr_once(tmp_path: Path) -> None:
    scope = await make_scope()
    engine = Engine(md={}, handle_sigint=False)
    docs = _collect(engine)
    sequence = useq.MDASequence(channels=["DAPI", "FITC"], z_plan={"range": 2, "step": 1})
    writer = OMEZarrFrameWriter(tmp_path / "mda.ome.zarr")
    checker = RunChecker()
    engine.subscribe(checker)
    try:
        await engine(mda(sequence, scope, writer=writer))
    finally:
        await release(scope)

    events = stream_events(docs)
    assert len(events) == 6
    assert "scope-camera-image" not in events[0]["data"]
    descriptor = next(d for d in _of(docs, "descriptor") if d["name"] == "primary")
    assert descriptor["data_keys"]["scope-camera-image"]["external"] == "STREAM:"
    image = zarr.open_group(str(tmp_path / "mda.ome.zarr"), mode="r")["0"]
    frames = np.asarray(image).reshape(-1, 64, 64)
    assert _frame_numbers(frames) == [0, 1, 2, 3, 4, 5]
    _check_datums_cover(docs, 6)


async def test_time_frames_at_one_place_run_as_a_hardware_burst(tmp_path: Path) -> None:
    scope = await make_scope(writer=HDF5FrameWriter(tmp_path / "burst.h5"), realtime=True)
    engine = Engine(md={}, handle_sigint=False)
    docs = _collect(engine)
    sequence = useq.MDASequence(time_plan={"interval": 0, "loops": 8}, channels=["FITC"])
    try:
        await engine(mda(sequence, scope))
        stamps = list(scope.camera.sequence_timestamps)
    finally:
        await release(scope)

    assert len(stamps) == 8  # one camera sequence of all eight frames
    events = stream_events(docs)
    assert [e["data"]["t"] for e in events] == list(range(8))
    started = [e["data"]["started_s"] for e in events]
    assert all(b > a for a, b in itertools.pairwise(started))
    with h5py.File(tmp_path / "burst.h5", "r") as f:
        frames = f["scope-camera-image"][()]
    assert _frame_numbers(frames) == list(range(8))
    _check_datums_cover(docs, 8)


async def _until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():  # noqa: ASYNC110 - documents arrive with no event to wait on
            await asyncio.sleep(0.002)


async def test_a_pause_acts_between_frames_of_a_burst(tmp_path: Path) -> None:
    scope = await make_scope(writer=HDF5FrameWriter(tmp_path / "burst.h5"), realtime=True)
    await scope.camera.exposure.set(0.04)
    engine = Engine(md={}, handle_sigint=False)
    docs = _collect(engine)
    sequence = useq.MDASequence(time_plan={"interval": 0, "loops": 12})
    try:
        task = asyncio.create_task(engine(mda(sequence, scope)))
        await _until(lambda: len(stream_events(docs)) == 3)
        engine.request_pause()
        paused = await task
        assert paused.paused
        during_pause = await scope.camera.frames_acquired.get_value()
        await asyncio.sleep(0.2)
        assert await scope.camera.frames_acquired.get_value() == during_pause  # camera stopped
        result = await engine.resume()
    finally:
        await release(scope)

    assert result.exit_status == "success"
    events = stream_events(docs)
    assert [e["data"]["t"] for e in events] == list(range(12))
    with h5py.File(tmp_path / "burst.h5", "r") as f:
        frames = f["scope-camera-image"][()]
    numbers = _frame_numbers(frames)
    assert len(numbers) == 12  # re-armed for the missing frames only: none twice, none lost
    assert all(b > a for a, b in itertools.pairwise(numbers))  # in order
    _check_datums_cover(docs, 12)


async def test_a_camera_with_its_own_writer_refuses_a_second_one(tmp_path: Path) -> None:
    scope = await make_scope(writer=HDF5FrameWriter(tmp_path / "own.h5"))
    engine = Engine(md={}, handle_sigint=False)
    sequence = useq.MDASequence(channels=["DAPI"])
    try:
        with pytest.raises(ValueError, match="already writes its frames"):
            await engine(mda(sequence, scope, writer=HDF5FrameWriter(tmp_path / "second.h5")))
        af = useq.MDASequence(
            stage_positions=[(0, 0, 2500)], channels=["DAPI"], autofocus_plan={"axes": ("p",)}
        )
        with pytest.raises(ValueError, match="autofocus needs frames back"):
            await engine(mda(af, scope))
    finally:
        await release(scope)


async def test_the_start_records_the_pixel_size_for_exporters() -> None:
    scope = await make_scope()
    engine = Engine(md={}, handle_sigint=False)
    docs = _collect(engine)
    await engine(mda(useq.MDASequence(channels=["FITC"]), scope))
    start = _of(docs, "start")[0]
    assert start["pixel_size_um"] == pytest.approx(scope.pixel_size_um)
    assert 0 < start["pixel_size_um"] < 10

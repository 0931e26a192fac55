"""``mda`` on a Micro-Manager microscope, against pymmcore-plus's own MDA runner.

The same ``useq.MDASequence`` (positions, a grid, channels with one skipped, z, time) runs
through ``core.mda.run`` on one demo core and through skyscope's ``mda`` on an identical one.
The demo camera is deterministic and stamps each frame with its number, stage position,
exposure and filter, so equal pixels mean the same frames, in the same order, taken with the
hardware in the same state.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest
import useq
from _mm_helpers import RigFactory, ScopeFactory, of, primary_events, until

from skyscope.devices import StatusFailedError
from skyscope.engine import Engine
from skyscope.plans import mda
from skyscope.writers import HDF5FrameWriter

FOV_UM = 64 * 0.65  # what pymmcore-plus's engine sets a grid's field of view to
SEQUENCE = useq.MDASequence(
    stage_positions=[
        {"x": 100.0, "y": 50.0, "z": 10.0, "name": "first"},
        {"x": -40.0, "y": 20.0, "z": 12.0, "name": "second"},
    ],
    grid_plan={"rows": 2, "columns": 2, "fov_width": FOV_UM, "fov_height": FOV_UM},
    channels=[
        {"config": "DAPI", "exposure": 10.0},
        {"config": "FITC", "exposure": 25.0},
        {"config": "TRITC", "exposure": 15.0, "acquire_every": 2},  # skipped at t=1
    ],
    z_plan={"range": 2.0, "step": 1.0},
    time_plan={"interval": 0, "loops": 2},
    axis_order="tpgcz",
)


def _pymmcore_frames(core: Any, sequence: useq.MDASequence) -> list[tuple[np.ndarray, Any]]:
    frames: list[tuple[np.ndarray, Any]] = []

    def keep(image: np.ndarray, event: useq.MDAEvent, meta: Any) -> None:
        frames.append((np.array(image, copy=True), event))

    core.mda.events.frameReady.connect(keep)
    try:
        core.mda.run(sequence)
    finally:
        core.mda.events.frameReady.disconnect(keep)
    return frames


async def test_mda_takes_the_frames_pymmcore_plus_takes(
    rig_factory: RigFactory, scope_factory: ScopeFactory
) -> None:
    anchor = rig_factory()
    theirs = await asyncio.to_thread(_pymmcore_frames, anchor.core, SEQUENCE)
    scope, _ = await scope_factory()
    engine = Engine(md={}, handle_sigint=False)
    documents: list[tuple[str, Any]] = []
    engine.subscribe(lambda name, doc: documents.append((name, doc)))
    result = await engine(mda(SEQUENCE, scope))

    expected = list(SEQUENCE)
    assert result.plan_result == len(expected) == len(theirs) == 2 * 2 * 4 * 3 * 3 - 2 * 4 * 3
    events = [e["data"] for e in primary_events(documents)]
    assert [dict(ev.index) for _, ev in theirs] == [dict(ev.index) for ev in expected]
    for ours, (frame, event) in zip(events, theirs, strict=True):
        assert np.array_equal(ours["scope-camera-image"], frame)  # pixel for pixel
        assert {a: ours[a] for a in "tpgcz"} == {a: event.index.get(a, -1) for a in "tpgcz"}
        assert (ours["x_um"], ours["y_um"]) == (event.x_pos, event.y_pos)
        assert ours["z_um"] == event.z_pos
        assert ours["channel"] == event.channel.config
        assert ours["exposure_ms"] == event.exposure
    start = of(documents, "start")[0]
    assert start["pixel_size_um"] == 0.65


async def _run_paused_burst(
    scope: Any, engine: Engine, documents: list[tuple[str, Any]], frames: int
) -> Any:
    sequence = useq.MDASequence(time_plan={"interval": 0, "loops": frames}, channels=["FITC"])
    task = asyncio.create_task(engine(mda(sequence, scope)))
    await until(lambda: len(primary_events(documents)) >= 3)
    engine.request_pause()
    paused = await task
    assert paused.paused
    during_pause = await scope.camera.frames_acquired.get_value()
    await asyncio.sleep(0.2)
    assert await scope.camera.frames_acquired.get_value() == during_pause  # the camera stopped
    return await engine.resume()


async def test_a_hardware_burst_runs_through_the_circular_buffer_paused_and_resumed(
    scope_factory: ScopeFactory, tmp_path: Path
) -> None:
    scope, _ = await scope_factory(
        {"realtime": True}, writer=HDF5FrameWriter(tmp_path / "burst.h5")
    )
    await scope.camera.exposure.set(0.02)
    engine = Engine(md={}, handle_sigint=False)
    documents: list[tuple[str, Any]] = []
    engine.subscribe(lambda name, doc: documents.append((name, doc)))
    result = await _run_paused_burst(scope, engine, documents, frames=30)
    await scope.camera.unstage()

    assert result.exit_status == "success"
    events = primary_events(documents)
    assert [e["data"]["t"] for e in events] == list(range(30))
    assert "scope-camera-image" not in events[0]["data"]
    with h5py.File(tmp_path / "burst.h5", "r") as f:
        numbers = [r.number for r in map(_header, f["scope-camera-image"][()])]
    assert numbers == list(range(30))  # re-armed for the missing frames: none lost, none twice
    datums = of(documents, "stream_datum")
    covered = [i for d in datums for i in range(d["indices"]["start"], d["indices"]["stop"])]
    assert covered == list(range(30))  # one datum per event, in order
    assert len(scope.camera.sequence_timestamps) < 30  # the second sequence took the rest


def _header(frame: np.ndarray) -> Any:
    from skyscope.devices.mm.demo import read_header

    return read_header(frame)


async def test_a_camera_that_hangs_in_a_burst_fails_the_run_naming_it(
    scope_factory: ScopeFactory, tmp_path: Path
) -> None:
    scope, rig = await scope_factory(
        writer=HDF5FrameWriter(tmp_path / "hung.h5"), frame_timeout_s=0.3
    )
    rig.devices["Camera"].stall_after = 5
    engine = Engine(md={}, handle_sigint=False)
    documents: list[tuple[str, Any]] = []
    engine.subscribe(lambda name, doc: documents.append((name, doc)))
    sequence = useq.MDASequence(time_plan={"interval": 0, "loops": 12})
    with pytest.raises(StatusFailedError, match="scope-camera timed out"):
        await engine(mda(sequence, scope))
    await scope.camera.unstage()
    stop = of(documents, "stop")[0]
    assert stop["exit_status"] == "fail"
    assert "scope-camera timed out" in stop["reason"]
    assert "5 of 12 frames of the sequence arrived" in stop["reason"]
    assert len(primary_events(documents)) == 5


async def test_a_sequence_outside_the_stage_limits_is_refused_before_anything_moves(
    scope_factory: ScopeFactory,
) -> None:
    scope, rig = await scope_factory(xy_limits=((-100, 100), (-100, 100)), focus_limits=(0, 50))
    engine = Engine(md={}, handle_sigint=False)
    outside_xy = useq.MDASequence(stage_positions=[(0.0, 0.0, 10.0), (150.0, 0.0, 10.0)])
    with pytest.raises(ValueError, match=r"moves x to 150.0 µm: .*outside the limits"):
        await engine(mda(outside_xy, scope))
    outside_z = useq.MDASequence(
        stage_positions=[(0.0, 0.0, 10.0)], z_plan={"range": 100, "step": 50}
    )
    with pytest.raises(ValueError, match=r"moves z to -40.0 µm"):
        await engine(mda(outside_z, scope))
    assert rig.devices["XY"].targets == []
    assert rig.devices["Z"].targets == []

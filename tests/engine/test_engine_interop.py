"""bluesky's own plans and ophyd-async's devices run unchanged on skyscope's engine."""

from __future__ import annotations

from pathlib import Path

import bluesky.plan_stubs as bps
import bluesky.plans as bp
import h5py
import numpy as np
import pytest
from ophyd_async.core import StaticFilenameProvider, StaticPathProvider, init_devices
from ophyd_async.sim import PatternGenerator, SimBlobDetector, SimMotor, SimPointDetector

from skyscope.engine import Engine


@pytest.fixture
async def sim_devices():
    generator = PatternGenerator()
    async with init_devices(mock=False):
        motor = SimMotor(instant=True)
        point = SimPointDetector(generator, num_channels=2)
    return motor, point


async def test_bluesky_count_and_scan_with_ophyd_async(
    engine: Engine, recorder, sim_devices
) -> None:
    motor, point = sim_devices
    await engine(bp.count([point], num=3))
    await engine(bp.scan([point], motor, -1, 1, 5))
    starts, stops = recorder.of("start"), recorder.of("stop")
    assert [s["plan_name"] for s in starts] == ["count", "scan"]
    assert [s["num_events"]["primary"] for s in stops] == [3, 5]
    assert all(s["exit_status"] == "success" for s in stops)
    last = recorder.of("event")[-1]
    assert last["data"]["motor"] == 1.0
    assert "point-channel-1-value" in last["data"]


async def test_bluesky_grid_list_rel_scans_and_stubs(engine: Engine, recorder, sim_devices) -> None:
    motor, point = sim_devices
    await engine(bp.list_scan([point], motor, [0.0, 2.0, 3.0]))
    await engine(bp.rel_scan([point], motor, -1, 1, 3))
    await engine(bps.mv(motor, 0.5))
    assert await motor.user_readback.get_value() == 0.5
    readbacks = [e["data"]["motor"] for e in recorder.of("event")]
    assert readbacks == [0.0, 2.0, 3.0, 2.0, 3.0, 4.0]
    assert all(s["exit_status"] == "success" for s in recorder.of("stop"))


async def test_a_file_writing_ophyd_async_detector(
    engine: Engine, recorder, tmp_path: Path
) -> None:
    provider = StaticPathProvider(StaticFilenameProvider("blob"), tmp_path)
    async with init_devices(mock=False):
        blob = SimBlobDetector(provider)
    await engine(bp.count([blob], num=3))
    resources, datums = recorder.of("stream_resource"), recorder.of("stream_datum")
    assert resources
    assert datums
    descriptor = recorder.of("descriptor")[0]
    assert all(d["descriptor"] == descriptor["uid"] for d in datums)
    run_uid = recorder.of("start")[0]["uid"]
    assert all(r["run_start"] == run_uid for r in resources)
    assert [d["seq_nums"] for d in datums if d["stream_resource"] == resources[0]["uid"]] == [
        {"start": 1, "stop": 2},
        {"start": 2, "stop": 3},
        {"start": 3, "stop": 4},
    ]
    image = next(r for r in resources if r["data_key"] == "blob")
    path = image["uri"].removeprefix("file://localhost")
    with h5py.File(path, "r") as file:
        frames = file[image["parameters"]["dataset"]][()]
    assert frames.shape[0] == 3
    assert np.any(frames)


async def test_bluesky_adaptive_scan_steers_by_readings(
    engine: Engine, recorder, sim_devices
) -> None:
    motor, point = sim_devices
    await engine(
        bp.adaptive_scan(
            [point], "point-channel-1-value", motor, 0, 5, 0.1, 2.0, 100.0, backstep=True
        )
    )
    positions = [e["data"]["motor"] for e in recorder.of("event")]
    assert positions[0] == 0
    assert positions[-1] <= 5
    assert len(set(positions)) == len(positions) > 2
    assert recorder.of("stop")[0]["exit_status"] == "success"

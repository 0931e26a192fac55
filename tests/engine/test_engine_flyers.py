"""Flyers: frames a sequence wrote are referenced even when the plan fails before collecting."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

import h5py
import pytest

from skyscope.devices.sim import CameraSettings, Microscope, SensorSpec
from skyscope.engine import Engine
from skyscope.plans import declare_stream, kickoff, prepare, run_wrapper, stage_wrapper
from skyscope.writers import HDF5FrameWriter


@pytest.mark.parametrize("collected_by", ["close_run", "engine cleanup"])
async def test_an_uncollected_sequence_is_collected_before_the_stop(
    tmp_path: Path, recorder, collected_by: str
) -> None:
    scope = Microscope(
        seed=3, sensor=SensorSpec(shape=(32, 48)), writer=HDF5FrameWriter(tmp_path),
        camera=CameraSettings(exposure_s=0.001), realtime=False, mode="pattern",
    )  # fmt: skip
    await scope.connect()
    camera = scope.camera

    async def body() -> AsyncGenerator[Any, Any]:
        yield declare_stream(camera, name="primary", collect=True)
        yield prepare(camera, 5, wait=True)
        yield kickoff(camera, wait=True)
        raise RuntimeError("analysis crashed mid-sequence")

    async def without_run_wrapper() -> AsyncGenerator[Any, Any]:
        from skyscope.engine import Msg

        yield Msg("open_run")
        yield body()

    plan = run_wrapper(body()) if collected_by == "close_run" else without_run_wrapper()
    engine = Engine(md={}, handle_sigint=False, raise_on_fail=False)
    engine.subscribe(recorder)
    result = await engine(stage_wrapper(plan, [camera]))
    assert result.exit_status == "fail"
    names = recorder.names
    assert names[-1] == "stop"
    assert "stream_datum" in names
    assert names.index("stream_datum") < names.index("stop")
    datum = recorder.of("stream_datum")[-1]
    frames = datum["indices"]["stop"]
    assert frames == 5
    assert recorder.of("stop")[0]["num_events"] == {"primary": frames}
    resource = recorder.of("stream_resource")[0]
    with h5py.File(resource["uri"].removeprefix("file://localhost"), "r") as file:
        assert file[resource["parameters"]["dataset"]].shape[0] >= frames

"""Every MDA records its instrument: a baseline at start and end, the camera in the descriptor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import useq
from _docs import stream_events
from _sim_scope import make_scope, release
from bluesky.callbacks.best_effort import BestEffortCallback

from skyscope.devices.sim import Microscope
from skyscope.documents import RunChecker
from skyscope.engine import Engine
from skyscope.plans import mda
from skyscope.writers import HDF5FrameWriter, OMEZarrFrameWriter

SEQUENCE = {
    "stage_positions": [(10.0, 20.0, 2500.0)],
    "channels": ["DAPI", "TRITC"],
    "z_plan": {"range": 2, "step": 1},
}
CAMERA_SETTINGS = ("exposure", "gain", "offset", "binning", "bit_depth", "roi_width")


async def _run(scope: Microscope, **kwargs: Any) -> list[tuple[str, Any]]:
    docs: list[tuple[str, Any]] = []
    engine = Engine(md={}, handle_sigint=False)
    engine.subscribe(lambda name, doc: docs.append((name, doc)))
    engine.subscribe(RunChecker())
    result = await engine(mda(useq.MDASequence(**SEQUENCE), scope, **kwargs))
    assert result.exit_status == "success", result.reason
    return docs


async def test_the_baseline_holds_the_instrument_at_the_start_and_the_end() -> None:
    scope = await make_scope()
    await scope.objective.set("20x/0.75")
    await scope.filter_wheel.set("FITC")
    await scope.light.set(35.0)
    try:
        docs = await _run(scope)
    finally:
        await release(scope)

    first, last = (e["data"] for e in stream_events(docs, "baseline"))
    assert first["scope-objective-position"] == "20x/0.75"
    assert first["scope-optics-magnification"] == 20.0
    assert first["scope-optics-numerical_aperture"] == 0.75
    assert first["scope-optics-pixel_size_um"] == pytest.approx(scope.pixel_size_um)
    assert first["scope-filter_wheel-position"] == "FITC"
    assert first["scope-optics-emission_um"] == pytest.approx(0.519, abs=0.05)
    assert first["scope-light-power"] == 35.0
    assert first["scope-shutter-position"] == "open"
    assert first["scope-camera-exposure"] == pytest.approx(0.005)
    for setting in CAMERA_SETTINGS:
        assert f"scope-camera-{setting}" in first
    assert (first["scope-xy-x-readback"], first["scope-xy-y-readback"]) == (0.0, 0.0)
    # the end shows where the run left the microscope: the last channel, at the position
    assert last["scope-filter_wheel-position"] == "TRITC"
    assert last["scope-optics-emission_um"] > first["scope-optics-emission_um"]
    assert (last["scope-xy-x-readback"], last["scope-xy-y-readback"]) == (10.0, 20.0)
    assert last["scope-focus-readback"] == pytest.approx(2501.0)
    descriptor = next(d for n, d in docs if n == "descriptor" and d["name"] == "baseline")
    assert descriptor["data_keys"]["scope-optics-pixel_size_um"]["units"] == "um"


def _primary_configuration(docs: list[tuple[str, Any]]) -> dict[str, Any]:
    descriptor = next(d for n, d in docs if n == "descriptor" and d["name"] == "primary")
    config: dict[str, Any] = descriptor["configuration"]["scope-camera"]["data"]
    return config


@pytest.mark.parametrize("path", ["inline", "plan-writer", "output", "camera-writer"])
async def test_the_camera_configuration_is_in_the_primary_descriptor(
    path: str, tmp_path: Path
) -> None:
    own = HDF5FrameWriter(tmp_path / "own.h5") if path == "camera-writer" else None
    scope = await make_scope(writer=own) if own else await make_scope()
    await scope.camera.exposure.set(0.007)
    kwargs: dict[str, Any] = {
        "inline": {},
        "plan-writer": {"writer": OMEZarrFrameWriter(tmp_path / "flat.ome.zarr")},
        "output": {"output": tmp_path / "cells.ome.zarr"},
        "camera-writer": {},
    }[path]
    try:
        docs = await _run(scope, **kwargs)
    finally:
        await release(scope)

    config = _primary_configuration(docs)
    for setting in CAMERA_SETTINGS:
        assert f"scope-camera-{setting}" in config
    assert config["scope-camera-exposure"] == pytest.approx(0.007)


async def test_best_effort_callback_shows_the_baseline(capsys: pytest.CaptureFixture[str]) -> None:
    scope = await make_scope()
    engine = Engine(md={}, handle_sigint=False)
    engine.subscribe(BestEffortCallback(), critical=True)
    try:
        result = await engine(mda(useq.MDASequence(**SEQUENCE), scope))
    finally:
        await release(scope)
    assert result.exit_status == "success"
    assert result.subscriber_errors == ()
    out = capsys.readouterr().out
    assert "baseline readings" in out.lower()
    assert "scope-optics-magnification" in out

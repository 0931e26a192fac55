"""skyscope's microscopy plans run unchanged on a Micro-Manager microscope: autofocus, tiling,
live view, an MDA written to OME-Zarr, and a long acquisition that never stalls the loop."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import useq
import zarr
from _mm_helpers import ScopeFactory, Ticker, primary_events, until

from skyscope.devices.mm import MMMicroscope
from skyscope.devices.mm.demo import DemoRig, read_header
from skyscope.engine import Engine
from skyscope.plans import FocusSweep, LiveFrame, LiveView, autofocus, live, mda, tile_scan
from skyscope.writers import OMEZarrFrameWriter


@pytest.mark.parametrize("start_um", [-40.0, 0.0, 35.0])
async def test_autofocus_finds_the_focal_plane(
    scope: MMMicroscope, rig: DemoRig, engine: Engine, start_um: float
) -> None:
    rig.world.focus_um = 7.3
    await scope.focus.set(start_um)
    result = await engine(autofocus(scope, sweep=FocusSweep(half_range_um=50.0)))
    assert abs(result.plan_result - 7.3) <= rig.world.depth_of_field_um / 4
    assert (await scope.focus.locate())["readback"] == pytest.approx(result.plan_result)


async def test_a_tile_scan_takes_each_tile_where_the_grid_puts_it(
    scope: MMMicroscope, engine: Engine, documents: list[tuple[str, Any]]
) -> None:
    await scope.xy.set((200.0, 100.0))
    result = await engine(tile_scan(scope, rows=2, columns=3, field_of_view_um=(40.0, 30.0),
                                    overlap=0.0, channel="FITC"))  # fmt: skip
    assert result.plan_result == 6
    events = [e["data"] for e in primary_events(documents)]
    headers = [read_header(e["scope-camera-image"]) for e in events]
    assert {(h.x_um, h.y_um) for h in headers} == {
        (200.0 + dx, 100.0 + dy) for dx in (-40.0, 0.0, 40.0) for dy in (-15.0, 15.0)
    }
    assert [(h.x_um, h.y_um) for h in headers] == [(e["x_um"], e["y_um"]) for e in events]
    assert {h.channel for h in headers} == {1}


async def test_live_view_streams_until_stopped(scope: MMMicroscope, engine: Engine) -> None:
    view = LiveView()
    seen: list[LiveFrame] = []
    view.subscribe(seen.append)
    task = asyncio.create_task(engine(live(scope.camera, view)))
    await until(lambda: len(seen) >= 5)
    await scope.focus.set(42.0)  # applied between frames
    await until(lambda: read_header(seen[-1].frame).z_um == 42.0)
    result = await engine.stop()
    await task
    assert result.exit_status == "success"
    numbers = [read_header(f.frame).number for f in seen]
    assert numbers == list(range(len(seen)))


async def test_an_mda_written_by_the_plan_to_ome_zarr(
    scope: MMMicroscope, engine: Engine, tmp_path: Path
) -> None:
    sequence = useq.MDASequence(channels=["DAPI", "Cy5"], z_plan={"range": 2, "step": 1},
                                stage_positions=[(5.0, 6.0, 20.0)])  # fmt: skip
    writer = OMEZarrFrameWriter(tmp_path / "mda.ome.zarr")
    result = await engine(mda(sequence, scope, writer=writer))
    assert result.plan_result == 6
    image = np.asarray(zarr.open_group(str(tmp_path / "mda.ome.zarr"), mode="r")["0"])
    frames = image.reshape(-1, 64, 64)
    headers = [read_header(f) for f in frames]
    assert [(h.channel, h.z_um) for h in headers] == [
        (c, z) for c in (0, 3) for z in (19.0, 20.0, 21.0)
    ]


async def test_a_long_acquisition_never_stalls_the_loop(
    scope_factory: ScopeFactory, engine: Engine
) -> None:
    scope, _ = await scope_factory({"realtime": True, "shape": (256, 256)})
    sequence = useq.MDASequence(
        channels=[{"config": "DAPI", "exposure": 20.0}, {"config": "FITC", "exposure": 20.0}],
        z_plan={"range": 4, "step": 1},
        time_plan={"interval": 0, "loops": 2},
    )
    async with Ticker(period=0.005) as ticker:
        result = await engine(mda(sequence, scope))
    assert result.plan_result == 20
    assert ticker.ticks >= 20  # at least one tick per 20 ms frame
    assert ticker.longest_gap < 0.1  # never blocked for long, though each snap takes 20 ms

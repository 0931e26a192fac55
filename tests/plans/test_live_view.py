"""Live view: frames to subscribers at the camera's rate, nothing saved, until stopped."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from _sim_scope import CELLS_XY, make_scope, release

from skyscope.devices.sim import CameraSettings
from skyscope.engine import Engine
from skyscope.plans import LiveFrame, LiveView, live
from skyscope.writers import HDF5FrameWriter


async def _until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():  # noqa: ASYNC110 - frames arrive with no event to wait on
            await asyncio.sleep(0.002)


async def test_live_streams_until_stopped_and_applies_new_settings() -> None:
    scope = await make_scope(
        mode="physics", shape=(32, 32), camera=CameraSettings(exposure_s=0.01), realtime=True
    )
    await scope.light.set(100.0)
    await scope.xy.set(CELLS_XY)
    engine = Engine(md={}, handle_sigint=False)
    docs: list[tuple[str, Any]] = []
    engine.subscribe(lambda name, doc: docs.append((name, doc)))
    view = LiveView()
    seen: list[LiveFrame] = []
    view.subscribe(seen.append)
    try:
        task = asyncio.create_task(engine(live(scope.camera, view)))
        await _until(lambda: len(seen) >= 5)
        await scope.camera.exposure.set(0.1)
        changed_at = len(seen)
        await _until(lambda: len(seen) >= changed_at + 3)
        result = await engine.stop()
        await task
    finally:
        await release(scope)

    assert result.exit_status == "success"
    assert result.run_start_uids == ()
    assert docs == []
    before = np.mean([f.frame.mean() for f in seen[1:changed_at]])
    after = np.mean([f.frame.mean() for f in seen[changed_at + 1 :]])
    assert after - 100 > 5 * (before - 100)  # ten times the exposure, above the offset
    assert [f.number for f in seen] == list(range(len(seen)))
    gaps = np.diff([f.time for f in seen[: changed_at - 1]])
    assert np.median(gaps) >= 0.009  # the camera's rate, not faster
    assert view.latest is seen[-1]


async def test_live_needs_frames_back_from_the_camera(tmp_path) -> None:
    scope = await make_scope(writer=HDF5FrameWriter(tmp_path / "x.h5"))
    engine = Engine(md={}, handle_sigint=False)
    try:
        with pytest.raises(ValueError, match="needs frames back"):
            await engine(live(scope.camera, LiveView()))
    finally:
        await release(scope)

"""bluesky's own RunEngine drives the Micro-Manager devices: a focus scan read by the camera.

The RunEngine runs its loop on a thread; the microscope is built and closed on that loop, and
its core's calls still go through the core's one worker thread.
"""

from __future__ import annotations

from typing import Any

import bluesky.plans as bp
import numpy as np
from _mm_helpers import RigFactory
from bluesky.run_engine import RunEngine, call_in_bluesky_event_loop

from skyscope.devices.mm import build_microscope
from skyscope.devices.mm.demo import read_header


def test_the_run_engine_scans_the_focus_stage_with_the_camera(
    run_engine: RunEngine, rig_factory: RigFactory
) -> None:
    rig = rig_factory()
    rig.world.focus_um = 20.0
    scope = call_in_bluesky_event_loop(build_microscope(rig.core), timeout=10)
    documents: list[tuple[str, Any]] = []
    try:
        run_engine(bp.scan([scope.camera], scope.focus, 0.0, 40.0, 9),
                   lambda name, doc: documents.append((name, doc)))  # fmt: skip
    finally:
        call_in_bluesky_event_loop(scope.close(), timeout=10)

    events = [doc["data"] for name, doc in documents if name == "event"]
    assert [e["scope-focus-readback"] for e in events] == [5.0 * k for k in range(9)]
    frames = [np.asarray(e["scope-camera-image"]) for e in events]
    assert [read_header(f).z_um for f in frames] == [5.0 * k for k in range(9)]
    spread = [float(f.astype(np.float64).std()) for f in frames]
    assert int(np.argmax(spread)) == 4  # sharpest at the focal plane, 20 µm
    descriptor = next(doc for name, doc in documents if name == "descriptor")
    assert descriptor["data_keys"]["scope-camera-image"]["shape"] == [64, 64]
    configuration = descriptor["configuration"]["scope-camera"]["data"]
    assert configuration["scope-camera-exposure"] == 0.01
    assert descriptor["hints"]["scope-focus"]["fields"] == ["scope-focus-readback"]
    stop = next(doc for name, doc in documents if name == "stop")
    assert stop["exit_status"] == "success"

"""The simulated microscope under bluesky's own RunEngine: count the camera, scan the focus.

The RunEngine runs its own loop on a thread; the microscope connects on that loop, and the loop
is stopped and closed at the end so nothing leaks into other tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import bluesky.plans as bp
import bluesky.protocols as bluesky_protocols
import h5py
import numpy as np
import pytest
from bluesky.run_engine import RunEngine, call_in_bluesky_event_loop

from skyscope.devices.sim import Microscope, SensorSpec
from skyscope.writers import HDF5FrameWriter

Documents = list[tuple[str, dict[str, Any]]]
SENSOR = SensorSpec(shape=(128, 128))


def _scope(**kwargs: Any) -> Microscope:
    scope = Microscope(seed=5, sensor=SENSOR, objective=1, **kwargs)
    call_in_bluesky_event_loop(scope.connect(), timeout=5)
    return scope


def _run(engine: RunEngine, plan: Any) -> Documents:
    documents: Documents = []
    engine(plan, lambda name, doc: documents.append((name, doc)))
    return documents


def test_parts_satisfy_bluesky_protocols() -> None:
    scope = Microscope(sensor=SENSOR)
    camera = scope.camera
    for protocol in (
        bluesky_protocols.Readable,
        bluesky_protocols.Triggerable,
        bluesky_protocols.Stageable,
        bluesky_protocols.Configurable,
        bluesky_protocols.Preparable,
        bluesky_protocols.Flyable,
        bluesky_protocols.Collectable,
        bluesky_protocols.WritesStreamAssets,
        bluesky_protocols.Stoppable,
    ):
        assert isinstance(camera, protocol), protocol
    for axis in (scope.focus, scope.xy, scope.xy.x):
        assert isinstance(axis, bluesky_protocols.Movable)
        assert isinstance(axis, bluesky_protocols.Locatable)
        assert isinstance(axis, bluesky_protocols.Stoppable)
    for selector in (scope.objective, scope.filter_wheel, scope.shutter, scope.light):
        assert isinstance(selector, bluesky_protocols.Movable)


def test_count_reads_the_frame_inline(run_engine: RunEngine) -> None:
    scope = _scope()
    documents = _run(run_engine, bp.count([scope.camera], num=3))
    events = [doc for name, doc in documents if name == "event"]
    assert len(events) == 3
    frame = np.asarray(events[0]["data"]["scope-camera-image"])
    assert frame.shape == (128, 128)
    descriptor = next(doc for name, doc in documents if name == "descriptor")
    assert descriptor["data_keys"]["scope-camera-image"]["shape"] == [128, 128]
    assert "scope-camera-exposure" in descriptor["configuration"]["scope-camera"]["data"]


def test_focus_scan_peaks_near_the_sample(run_engine: RunEngine) -> None:
    scope = _scope()
    focus = scope.model.focus_um
    plan = bp.scan([scope.camera], scope.focus, focus - 40.0, focus + 40.0, 9)
    documents = _run(run_engine, plan)
    events = [doc["data"] for name, doc in documents if name == "event"]
    assert len(events) == 9
    spread = [float(np.asarray(e["scope-camera-image"], dtype=np.float64).std()) for e in events]
    assert int(np.argmax(spread)) == 4  # the middle point is in focus
    assert events[4]["scope-focus-readback"] == pytest.approx(focus)


def test_count_with_a_writer_emits_stream_documents(run_engine: RunEngine, tmp_path: Path) -> None:
    scope = _scope(writer=HDF5FrameWriter(tmp_path))
    documents = _run(run_engine, bp.count([scope.camera], num=2))
    names = [name for name, _ in documents]
    assert names.count("stream_resource") == 1
    assert names.count("stream_datum") == 2
    resource = next(doc for name, doc in documents if name == "stream_resource")
    assert resource["run_start"]
    events = [doc for name, doc in documents if name == "event"]
    assert "scope-camera-image" not in events[0]["data"]
    path = resource["uri"].removeprefix("file://localhost")
    with h5py.File(path, "r") as file:
        assert file[resource["parameters"]["dataset"]].shape == (2, 128, 128)

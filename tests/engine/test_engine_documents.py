"""Document order and content of the standard plans; every document passes event-model."""

from __future__ import annotations

import pytest

from skyscope.devices import SoftDetector, SoftMotor
from skyscope.engine import Engine
from skyscope.plans import count, grid_scan, list_scan, scan


async def test_count_emits_start_descriptor_events_stop(engine: Engine, recorder, det) -> None:
    result = await engine(count([det], 3), sample="beads")
    assert recorder.names == ["start", "descriptor", "event", "event", "event", "stop"]
    start, descriptor = recorder.of("start")[0], recorder.of("descriptor")[0]
    assert result.exit_status == "success"
    assert result.run_start_uids == (start["uid"],)
    assert start["plan_name"] == "count"
    assert start["sample"] == "beads"
    assert start["detectors"] == ["det"]
    assert start["num_points"] == 3
    assert descriptor["name"] == "primary"
    assert descriptor["run_start"] == start["uid"]
    assert set(descriptor["data_keys"]) == {"det-value"}
    assert descriptor["object_keys"] == {"det": ["det-value"]}
    assert "det" in descriptor["configuration"]
    events = recorder.of("event")
    assert [e["seq_num"] for e in events] == [1, 2, 3]
    assert all(e["descriptor"] == descriptor["uid"] for e in events)
    stop = recorder.of("stop")[0]
    assert stop["exit_status"] == "success"
    assert stop["num_events"] == {"primary": 3}


async def test_scan_moves_and_reads_motor_and_detector(
    engine: Engine, recorder, det, motor
) -> None:
    await engine(scan([det], motor, -1, 1, num=5))
    events = recorder.of("event")
    assert [e["data"]["motor-readback"] for e in events] == [-1.0, -0.5, 0.0, 0.5, 1.0]
    peak = max(events, key=lambda e: e["data"]["det-value"])
    assert peak["data"]["motor-readback"] == 0.0
    start = recorder.of("start")[0]
    assert start["motors"] == ["motor"]
    assert start["hints"]["dimensions"] == [[["motor-readback"], "primary"]]


async def test_grid_scan_visits_every_point_snaking(engine: Engine, recorder, det) -> None:
    x, y = SoftMotor("x", velocity=float("inf")), SoftMotor("y", velocity=float("inf"))
    await x.connect()
    await y.connect()
    await engine(grid_scan([det], y, 0, 1, 2, x, 0, 2, 3, snake_axes=True))
    points = [(e["data"]["y-readback"], e["data"]["x-readback"]) for e in recorder.of("event")]
    assert points == [(0, 0), (0, 1), (0, 2), (1, 2), (1, 1), (1, 0)]
    assert recorder.of("start")[0]["shape"] == [2, 3]


async def test_list_scan_refuses_lists_of_different_lengths(engine: Engine, det, motor) -> None:
    x = SoftMotor("x2")
    with pytest.raises(ValueError, match="same length"):
        await engine(list_scan([det], motor, [1, 2], x, [1, 2, 3]))
    assert engine.last_result is not None
    assert engine.last_result.exit_status == "fail"


async def test_two_streams_and_baseline(engine: Engine, recorder, motor) -> None:
    from skyscope.plans import baseline_wrapper

    d = SoftDetector("counter")
    await d.connect()
    await engine(baseline_wrapper(count([d], 2), [motor]))
    streams = [d["name"] for d in recorder.of("descriptor")]
    assert streams == ["baseline", "primary"]
    assert recorder.of("stop")[0]["num_events"] == {"baseline": 2, "primary": 2}


async def test_every_start_records_versions_and_scan_id(engine: Engine, recorder, det) -> None:
    await engine(count([det]))
    await engine(count([det]))
    starts = recorder.of("start")
    assert [s["scan_id"] for s in starts] == [1, 2]
    assert "skyscope" in starts[0]["versions"]

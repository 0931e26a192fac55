"""The MDA takes frames exactly as useq's own iteration lists them: order, skips, positions, timing.

One table of sequences covering every kind of plan useq has; each is run on the simulated
microscope and its documents compared, event by event, with ``list(sequence)``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import useq
from _sim_scope import make_scope, release

from skyscope.devices.sim import Microscope
from skyscope.engine import Engine
from skyscope.plans import FocusSweep, mda

AXES = ("t", "p", "g", "c", "z")
FAST_FOCUS = FocusSweep(half_range_um=1.0, coarse_step_um=1.0, fine_step_um=1.0)


@dataclass(frozen=True)
class Case:
    name: str
    sequence: dict[str, Any]


Z0 = 2500.0
GRID_FOV = {"fov_width": 40.0, "fov_height": 30.0}
CASES = [
    Case("interval-loops", {"time_plan": {"interval": 0.02, "loops": 3}}),
    Case("interval-duration", {"time_plan": {"interval": 0.02, "duration": 0.05}}),
    Case("duration-loops", {"time_plan": {"duration": 0.04, "loops": 3}}),
    Case(
        "multi-phase",
        {
            "time_plan": {
                "phases": [{"interval": 0.01, "loops": 2}, {"interval": 0.03, "loops": 2}]
            },
            "channels": ["DAPI", "FITC"],
        },
    ),
    Case(
        "positions-with-sub-sequences",
        {
            "stage_positions": [
                (10.0, 20.0, Z0),
                {
                    "x": -10.0,
                    "y": 5.0,
                    "z": Z0 + 1,
                    "name": "second",
                    "sequence": {
                        "grid_plan": {"rows": 2, "columns": 1, **GRID_FOV},
                        "z_plan": {"range": 2, "step": 1},
                    },
                },
                {"x": 30.0, "y": -5.0, "name": "third", "sequence": {"channels": ["TRITC"]}},
            ],
            "channels": ["DAPI", "FITC"],
        },
    ),
    Case(
        "grid-rows-columns-overlap-snake",
        {
            "stage_positions": [(50.0, -40.0, Z0)],
            "grid_plan": {
                "rows": 2,
                "columns": 3,
                "overlap": 10,
                "mode": "row_wise_snake",
                **GRID_FOV,
            },
        },
    ),
    Case(
        "grid-from-edges-spiral",
        {
            "grid_plan": {
                "top": 40,
                "bottom": -40,
                "left": -60,
                "right": 60,
                "mode": "spiral",
                **GRID_FOV,
            },
        },
    ),
    Case(
        "grid-width-height-column-wise",
        {
            "stage_positions": [(0.0, 0.0, Z0)],
            "grid_plan": {"width": 90, "height": 50, "mode": "column_wise", **GRID_FOV},
        },
    ),
    Case(
        "channels-exposure-stack-every-offset",
        {
            "stage_positions": [(0.0, 0.0, Z0)],
            "time_plan": {"interval": 0, "loops": 3},
            "channels": [
                {"config": "DAPI", "exposure": 5},
                {"config": "FITC", "exposure": 8, "do_stack": False, "z_offset": 1.5},
                {"config": "TRITC", "exposure": 3, "acquire_every": 2, "z_offset": -0.5},
            ],
            "z_plan": {"range": 2, "step": 1},
            "axis_order": "tpcz",
        },
    ),
    Case("z-top-bottom", {"z_plan": {"top": Z0 + 2, "bottom": Z0, "step": 1}}),
    Case("z-range-around", {"stage_positions": [(0, 0, Z0)], "z_plan": {"range": 3, "step": 1}}),
    Case(
        "z-above-below",
        {"stage_positions": [(0, 0, Z0)], "z_plan": {"above": 1, "below": 2, "step": 1}},
    ),
    Case("z-relative", {"stage_positions": [(0, 0, Z0)], "z_plan": {"relative": [-1, 0, 2.5]}}),
    Case("z-absolute", {"z_plan": {"absolute": [Z0 - 1, Z0 + 3]}}),
    Case(
        "axis-order-zcpt",
        {
            "stage_positions": [(0, 0, Z0), (20, 20, Z0)],
            "channels": ["DAPI", "FITC"],
            "z_plan": {"range": 1, "step": 1},
            "time_plan": {"interval": 0, "loops": 2},
            "axis_order": "zcpt",
        },
    ),
    Case(
        "axis-order-pgtcz",
        {
            "stage_positions": [(0, 0, Z0)],
            "grid_plan": {"rows": 1, "columns": 2, **GRID_FOV},
            "channels": ["DAPI"],
            "time_plan": {"interval": 0.01, "loops": 2},
            "axis_order": "pgtcz",
        },
    ),
    Case(
        "autofocus-per-position",
        {
            "stage_positions": [(300, 300, Z0), (-200, 100, Z0 + 2)],
            "channels": ["DAPI", "FITC"],
            "z_plan": {"range": 2, "step": 1},
            "time_plan": {"interval": 0, "loops": 2},
            "autofocus_plan": {"axes": ("p",)},
            "axis_order": "tpcz",
        },
    ),
    Case(
        "autofocus-in-a-sub-sequence",
        {
            "stage_positions": [
                (0, 0, Z0),
                {"x": 50, "y": 0, "z": Z0, "sequence": {"autofocus_plan": {"axes": ("c",)}}},
            ],
            "channels": ["DAPI", "FITC"],
        },
    ),
    Case(
        "keep-shutter-open-across-z",
        {
            "stage_positions": [(0, 0, Z0)],
            "z_plan": {"range": 2, "step": 1},
            "channels": ["FITC"],
            "keep_shutter_open_across": ("z",),
        },
    ),
]


@pytest.fixture
async def scope() -> AsyncIterator[Microscope]:
    microscope = await make_scope()
    yield microscope
    await release(microscope)


def _expected_actions(events: list[useq.MDAEvent]) -> list[tuple[str, dict[str, int]]]:
    return [
        ("autofocus" if e.action.type == "hardware_autofocus" else "primary", dict(e.index))
        for e in events
    ]


def _index(data: dict[str, Any]) -> dict[str, int]:
    return {axis: data[axis] for axis in AXES if data[axis] >= 0}


async def _run(engine: Engine, sequence: useq.MDASequence, scope: Microscope) -> list[Any]:
    docs: list[tuple[str, Any]] = []
    token = engine.subscribe(lambda name, doc: docs.append((name, doc)))
    try:
        result = await engine(mda(sequence, scope, focus_sweep=FAST_FOCUS))
    finally:
        engine.unsubscribe(token)
    assert result.exit_status == "success"
    streams = {d["uid"]: d["name"] for n, d in docs if n == "descriptor"}
    events = [(streams[d["descriptor"]], d["data"]) for n, d in docs if n == "event"]
    return [(stream, data) for stream, data in events if stream != "baseline"]


def _check_frame(data: dict[str, Any], expected: useq.MDAEvent, offsets: dict[int, float]) -> None:
    if expected.channel is not None:
        assert data["channel"] == expected.channel.config
    if expected.exposure is not None:
        assert data["exposure_ms"] == pytest.approx(expected.exposure)
    if expected.x_pos is not None:
        assert data["x_um"] == pytest.approx(expected.x_pos)
    if expected.y_pos is not None:
        assert data["y_um"] == pytest.approx(expected.y_pos)
    if expected.z_pos is not None:
        offset = offsets.get(expected.index.get("p", 0), 0.0)
        assert data["z_um"] == pytest.approx(expected.z_pos + offset)
    assert data["pos_name"] == (expected.pos_name or "")
    assert data["lateness_s"] >= -1e-3


def _check_schedule(frames: list[tuple[dict[str, Any], useq.MDAEvent]]) -> None:
    """Within one event-timer segment, due times are min_start_time apart, as useq says."""
    anchor = None
    for data, expected in frames:
        if expected.reset_event_timer or anchor is None:
            anchor = data["scheduled_s"] - (expected.min_start_time or 0.0)
        if expected.min_start_time is not None:
            assert data["scheduled_s"] - anchor == pytest.approx(expected.min_start_time, abs=1e-6)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_frames_follow_useq_iteration(case: Case, scope: Microscope) -> None:
    sequence = useq.MDASequence(**case.sequence)
    expected = list(sequence)
    engine = Engine(md={}, handle_sigint=False)

    events = await _run(engine, sequence, scope)

    assert [(stream, _index(data)) for stream, data in events] == _expected_actions(expected)
    offsets: dict[int, float] = {}
    frames = []
    for (stream, data), event in zip(events, expected, strict=True):
        if stream == "autofocus":
            offsets[event.index.get("p", 0)] = data["offset_um"]
            assert data["frames"] == 3
            continue
        _check_frame(data, event, offsets)
        frames.append((data, event))
    _check_schedule(frames)


async def test_the_sequence_can_be_run_again_with_the_same_frames(scope: Microscope) -> None:
    sequence = useq.MDASequence(**CASES[-3].sequence)
    engine = Engine(md={}, handle_sigint=False)
    first = await _run(engine, sequence, scope)
    second = await _run(engine, sequence, scope)
    assert [_index(d) for _, d in first] == [_index(d) for _, d in second]
    assert [(s, _index(d)) for s, d in first] == _expected_actions(list(sequence))

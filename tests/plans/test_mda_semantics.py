"""useq's meaning, kept by the MDA: where z counts from, the shutter across axes, what is ignored.

useq counts a relative z plan from the position's z, and from 0 where there is none; skyscope
counts the latter from the focus at the start, and nothing else. Each case says which positions
float (-1: the sequence has no positions), so the expected z is useq's z plus the starting
focus there and useq's z exactly elsewhere.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import useq
from _sim_scope import CELLS_XY, make_scope, release

from skyscope.devices.sim import Microscope
from skyscope.engine import Engine
from skyscope.plans import FocusSweep, mda
from skyscope.writers import HDF5FrameWriter

AXES = ("t", "p", "g", "c", "z")
FAST_FOCUS = FocusSweep(half_range_um=1.0, coarse_step_um=1.0, fine_step_um=1.0)
START = 2400.0
"""Where the focus is when each run starts: not any position's z."""
Z0 = 2500.0
GRID = {"rows": 1, "columns": 2, "fov_width": 40.0, "fov_height": 30.0}


@dataclass(frozen=True)
class Case:
    name: str
    sequence: dict[str, Any]
    floating: frozenset[int]


CASES = [
    Case("relative-without-positions", {"z_plan": {"range": 2, "step": 1}}, frozenset({-1})),
    Case(
        "relative-sub-plan-at-a-position-without-z",
        {
            "stage_positions": [
                (0.0, 0.0, Z0),
                {"x": 10.0, "y": 0.0, "sequence": {"z_plan": {"range": 2, "step": 1}}},
            ]
        },
        frozenset({1}),
    ),
    Case(
        "positions-with-and-without-z",
        {
            "stage_positions": [(0.0, 0.0, Z0), (10.0, 0.0, None), (20.0, 0.0, Z0 - 5)],
            "z_plan": {"above": 1, "below": 2, "step": 1},
        },
        frozenset({1}),
    ),
    Case(
        "absolute-sub-plan-at-a-position-without-z",
        {
            "stage_positions": [
                (0.0, 0.0, None),
                {"x": 10.0, "y": 0.0, "sequence": {"z_plan": {"absolute": [Z0 - 1, Z0 + 1]}}},
            ],
            "z_plan": {"range": 2, "step": 1},
        },
        frozenset({0}),
    ),
    Case(
        "relative-sub-plan-at-a-position-with-z-beside-an-absolute-plan",
        {
            "stage_positions": [
                {"x": 0.0, "y": 0.0, "z": Z0, "sequence": {"z_plan": {"relative": [-1, 1]}}},
                (10.0, 0.0, None),
            ],
            "z_plan": {"absolute": [Z0 + 2]},
        },
        frozenset(),
    ),
    Case(
        "channel-z-offsets-without-positions",
        {
            "channels": [{"config": "DAPI", "z_offset": 1.5}, {"config": "FITC"}],
            "z_plan": {"relative": [-1, 0, 1]},
        },
        frozenset({-1}),
    ),
    Case(
        "sub-sequence-with-a-grid-and-no-z-plan",
        {
            "stage_positions": [{"x": 0.0, "y": 0.0, "sequence": {"grid_plan": GRID}}],
            "z_plan": {"range": 1, "step": 1},
            "channels": ["DAPI"],
        },
        frozenset({0}),
    ),
    Case(
        "autofocus-at-a-position-without-z",
        {
            "stage_positions": [(*CELLS_XY, None), (CELLS_XY[0] + 50, CELLS_XY[1], Z0)],
            "z_plan": {"range": 2, "step": 1},
            "autofocus_plan": {"axes": ("p",)},
        },
        frozenset({0}),
    ),
    Case(
        "time-lapse-positions-mixed",
        {
            "time_plan": {"interval": 0, "loops": 2},
            "stage_positions": [(0.0, 0.0, None), (10.0, 0.0, Z0)],
            "channels": ["DAPI", "FITC"],
            "z_plan": {"range": 1, "step": 1},
            "axis_order": "tpcz",
        },
        frozenset({0}),
    ),
]


@pytest.fixture
async def scope() -> AsyncIterator[Microscope]:
    microscope = await make_scope()
    await microscope.focus.set(START)
    yield microscope
    await release(microscope)


async def _run(sequence: useq.MDASequence, scope: Microscope) -> list[tuple[str, Any]]:
    docs: list[tuple[str, Any]] = []
    engine = Engine(md={}, handle_sigint=False)
    engine.subscribe(lambda name, doc: docs.append((name, doc)))
    result = await engine(mda(sequence, scope, focus_sweep=FAST_FOCUS))
    assert result.exit_status == "success"
    return docs


def _events(docs: list[tuple[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    streams = {d["uid"]: d["name"] for n, d in docs if n == "descriptor"}
    events = [(streams[d["descriptor"]], d["data"]) for n, d in docs if n == "event"]
    return [(stream, data) for stream, data in events if stream != "baseline"]


def _index(data: dict[str, Any]) -> dict[str, int]:
    return {axis: data[axis] for axis in AXES if data[axis] >= 0}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_z_counts_from_the_start_only_where_useq_counts_from_nothing(
    case: Case, scope: Microscope
) -> None:
    sequence = useq.MDASequence(**case.sequence)
    expected = list(sequence)

    docs = await _run(sequence, scope)

    start = docs[0][1]
    assert start["mda_z_origin_um"] == (pytest.approx(START) if case.floating else None)
    events = _events(docs)
    kinds = ["autofocus" if e.action.type == "hardware_autofocus" else "primary" for e in expected]
    assert [(s, _index(d)) for s, d in events] == [
        (k, dict(e.index)) for k, e in zip(kinds, expected, strict=True)
    ]
    corrections: dict[int, float] = {}
    for (stream, data), event in zip(events, expected, strict=True):
        position = event.index.get("p", -1)
        shift = START if position in case.floating else 0.0
        if stream == "autofocus":
            corrections[position] = data["offset_um"]
            assert data["focus_um"] - data["offset_um"] == pytest.approx(event.z_pos + shift)
            continue
        assert event.z_pos is not None
        planned = event.z_pos + shift + corrections.get(position, 0.0)
        assert data["z_um"] == pytest.approx(planned), (dict(event.index), event.z_pos)


async def test_a_floating_z_outside_the_focus_travel_is_refused_before_anything_moves(
    scope: Microscope,
) -> None:
    await scope.focus.set(5.0)
    sequence = useq.MDASequence(
        stage_positions=[(0.0, 0.0, Z0), (10.0, 0.0, None)], z_plan={"range": 20, "step": 10}
    )
    engine = Engine(md={}, handle_sigint=False)
    with pytest.raises(ValueError, match=r"moves z to -5\.0 µm"):
        await engine(mda(sequence, scope))
    assert (await scope.xy.locate())["readback"] == pytest.approx((0.0, 0.0))


def _spy_on_exposures(scope: Microscope) -> list[bool]:
    """Whether the shutter was open at each exposure (a spy around the model's real snap)."""
    opened: list[bool] = []
    snap = scope.model.snap_with_mean  # what the camera's frames come from

    def spying(*args: Any, **kwargs: Any) -> Any:
        opened.append(scope.model.shutter_open)
        return snap(*args, **kwargs)

    scope.model.snap_with_mean = spying  # type: ignore[method-assign]
    return opened


def _count_switches(scope: Microscope) -> list[str]:
    moves: list[str] = []
    scope.shutter.position.subscribe_value(moves.append)
    moves.clear()  # the subscription reports the current state first
    return moves


STACKS = {
    "stage_positions": [(0.0, 0.0, Z0)],
    "channels": ["DAPI", "FITC"],
    "z_plan": {"range": 2, "step": 1},
}


@pytest.mark.parametrize(
    ("across", "switches"),
    [
        (("z",), ["open", "closed", "open", "closed"]),
        (("z", "c"), ["open", "closed"]),
        (("t",), ["open", "closed"] * 6),
    ],
)
async def test_the_shutter_stays_open_across_the_named_axes(
    scope: Microscope, across: tuple[str, ...], switches: list[str]
) -> None:
    await scope.shutter.close()
    sequence = useq.MDASequence(**STACKS, keep_shutter_open_across=across)
    exposures = _spy_on_exposures(scope)
    moves = _count_switches(scope)

    docs = await _run(sequence, scope)

    assert moves == switches
    assert exposures == [True] * 6
    assert await scope.shutter.position.get_value() == "closed"  # as the run found it
    assert docs[0][1]["mda_unhonoured"] == []


async def test_the_shutter_is_left_alone_when_no_axis_is_named(scope: Microscope) -> None:
    moves = _count_switches(scope)
    await _run(useq.MDASequence(**STACKS), scope)
    assert moves == []


async def test_an_open_shutter_found_open_is_open_again_at_the_end(scope: Microscope) -> None:
    sequence = useq.MDASequence(**STACKS, keep_shutter_open_across=("z",))
    moves = _count_switches(scope)
    await _run(sequence, scope)
    assert moves == ["closed", "open", "closed", "open"]


async def test_what_the_sequence_asked_and_skyscope_ignores_is_in_the_start(
    scope: Microscope,
) -> None:
    autofocus = {
        "axes": ("p",),
        "autofocus_device_name": "PFS",
        "autofocus_motor_offset": 40.0,
    }
    sequence = useq.MDASequence(
        stage_positions=[
            (*CELLS_XY, Z0),
            {
                "x": CELLS_XY[0] + 20,
                "y": CELLS_XY[1],
                "z": Z0,
                "sequence": {"autofocus_plan": {**autofocus, "autofocus_motor_offset": 10.0}},
            },
        ],
        channels=[{"config": "DAPI", "group": "Filters"}, {"config": "FITC", "camera": "Cam2"}],
        autofocus_plan=autofocus,
    )

    docs = await _run(sequence, scope)

    listed = {(e["field"], str(e["value"])) for e in docs[0][1]["mda_unhonoured"]}
    assert listed == {
        ("autofocus_plan.autofocus_device_name", "PFS"),
        ("autofocus_plan.autofocus_motor_offset", "40.0"),
        ("stage_positions[1].autofocus_plan.autofocus_device_name", "PFS"),
        ("stage_positions[1].autofocus_plan.autofocus_motor_offset", "10.0"),
        ("channels[0].group", "Filters"),
        ("channels[1].camera", "Cam2"),
    }
    assert all(e["why"] for e in docs[0][1]["mda_unhonoured"])


async def test_autofocus_frames_are_taken_with_the_shutter_open(scope: Microscope) -> None:
    await scope.shutter.close()
    sequence = useq.MDASequence(
        stage_positions=[(*CELLS_XY, Z0), (CELLS_XY[0] + 30, CELLS_XY[1], Z0)],
        z_plan={"range": 2, "step": 1},
        autofocus_plan={"axes": ("p",)},
        keep_shutter_open_across=("z",),
    )
    exposures = _spy_on_exposures(scope)
    moves = _count_switches(scope)

    docs = await _run(sequence, scope)

    focus_frames = sum(d["frames"] for s, d in _events(docs) if s == "autofocus")
    assert len(exposures) == focus_frames + 6
    assert all(exposures)
    assert moves == ["open", "closed"] * 2  # open from each autofocus to its stack's end


async def test_a_hardware_burst_is_taken_with_the_shutter_open(tmp_path: Path) -> None:
    scope = await make_scope(writer=HDF5FrameWriter(tmp_path / "burst.h5"), realtime=True)
    await scope.shutter.close()
    exposures = _spy_on_exposures(scope)
    moves = _count_switches(scope)
    sequence = useq.MDASequence(
        time_plan={"interval": 0, "loops": 5}, channels=["FITC"], keep_shutter_open_across=("t",)
    )
    try:
        await _run(sequence, scope)
        sequenced = len(scope.camera.sequence_timestamps)
    finally:
        await release(scope)
    assert sequenced == 5  # all five frames in one camera sequence
    assert moves == ["open", "closed"]
    assert exposures == [True] * 5

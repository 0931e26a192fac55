"""Every run a plan makes has the start document bluesky's callbacks and a queue server read.

plan_type, plan_name, plan_args as plain JSON (devices by name), detectors, motors, num_points
equal to the events taken, and hints.dimensions in bluesky's shape naming real fields; every
descriptor hints only its own data keys.
"""

from __future__ import annotations

import json
import math
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from typing import Any

import pytest
import useq
from _sim_scope import make_scope, release

from skyscope.devices import SoftDetector, SoftMotor, gaussian
from skyscope.engine import Engine, Msg
from skyscope.plans import (
    FocusSweep,
    count,
    grid_scan,
    list_scan,
    mda,
    rel_scan,
    scan,
    tile_scan,
)


@dataclass(frozen=True)
class Case:
    plan_name: str
    make: Callable[[dict[str, Any]], Any]
    detectors: list[str]
    motors: list[str]
    devices_given: tuple[str, ...] = ("det",)


CASES = [
    Case("count", lambda d: count([d["det"]], num=3, delay=0.001), ["det"], []),
    Case("scan", lambda d: scan([d["det"]], d["x"], -1, 1, num=3), ["det"], ["x"]),
    Case("rel_scan", lambda d: rel_scan([d["det"]], d["x"], -1, 1, num=4), ["det"], ["x"]),
    Case(
        "list_scan",
        lambda d: list_scan([d["det"]], d["x"], [0, 1], d["y"], [2, 3]),
        ["det"],
        ["x", "y"],
    ),
    Case(
        "grid_scan",
        lambda d: grid_scan([d["det"]], d["x"], 0, 1, 2, d["y"], 0, 1, 3, snake_axes=True),
        ["det"],
        ["x", "y"],
    ),
    Case(
        "mda",
        lambda d: mda(
            useq.MDASequence(time_plan={"interval": 0, "loops": 2}, channels=["DAPI", "FITC"]),
            d["scope"],
            focus_sweep=FocusSweep(1.0, 1.0, 1.0),
        ),
        ["scope-camera"],
        ["scope-filter_wheel"],
        ("scope",),
    ),
    Case(
        "tile_scan",
        lambda d: tile_scan(d["scope"], rows=2, columns=2, field_of_view_um=(50.0, 50.0)),
        ["scope-camera"],
        ["scope-xy"],
        ("scope",),
    ),
]


@pytest.fixture
async def devices() -> Any:
    x, y = SoftMotor("x", velocity=math.inf), SoftMotor("y", velocity=math.inf)
    det = SoftDetector("det", compute=gaussian(center=0.0, sigma=1.0), inputs=[x.readback])
    scope = await make_scope()
    for device in (x, y, det):
        await device.connect()
    yield {"x": x, "y": y, "det": det, "scope": scope}
    await release(scope)


async def _run(plan: Any) -> list[tuple[str, Any]]:
    docs: list[tuple[str, Any]] = []
    engine = Engine(md={}, handle_sigint=False)
    engine.subscribe(lambda name, doc: docs.append((name, doc)))
    result = await engine(plan)
    assert result.exit_status == "success"
    return docs


@pytest.mark.parametrize("case", CASES, ids=[c.plan_name for c in CASES])
async def test_the_start_document_has_what_bluesky_reads(case: Case, devices: Any) -> None:
    docs = await _run(case.make(devices))
    start = next(d for n, d in docs if n == "start")
    primary = {d["uid"]: d for n, d in docs if n == "descriptor" and d["name"] == "primary"}
    events = [d for n, d in docs if n == "event" and d["descriptor"] in primary]

    assert start["plan_type"] == "generator"
    assert start["plan_name"] == case.plan_name
    assert start["detectors"] == case.detectors
    assert start["motors"] == case.motors
    assert start["num_points"] == len(events)
    args = json.dumps(start["plan_args"])  # plain JSON
    assert "<" not in args  # devices by name, not by repr
    for name in case.devices_given:
        assert f'"{name}"' in args
    keys = {k for d in primary.values() for k in d["data_keys"]} | {"time"}
    dimensions = start["hints"]["dimensions"]
    assert 1 <= len(dimensions) <= 2  # what BestEffortCallback can plot
    for fields, stream in dimensions:
        assert stream == "primary"
        assert fields
        assert set(fields) <= keys


@pytest.mark.parametrize("case", CASES, ids=[c.plan_name for c in CASES])
async def test_descriptors_hint_only_their_own_data_keys(case: Case, devices: Any) -> None:
    docs = await _run(case.make(devices))
    for name, doc in docs:
        if name != "descriptor":
            continue
        for obj, hints in doc["hints"].items():
            assert set(hints["fields"]) <= set(doc["object_keys"][obj])
            for field in hints["fields"]:
                assert doc["data_keys"][field]["dtype"] in ("number", "integer", "string")


async def test_the_engine_names_a_plan_that_does_not_say(devices: Any) -> None:
    async def my_experiment() -> AsyncGenerator[Any, Any]:
        yield Msg("open_run")
        yield Msg("close_run")

    start = next(d for n, d in await _run(my_experiment()) if n == "start")
    assert start["plan_type"] == "generator"
    assert start["plan_name"] == "my_experiment"


async def test_a_plan_may_still_name_itself(devices: Any) -> None:
    plan = count([devices["det"]], md={"plan_name": "dark_frames", "sample": "none"})
    start = next(d for n, d in await _run(plan) if n == "start")
    assert (start["plan_name"], start["sample"]) == ("dark_frames", "none")


async def test_an_mda_hints_time_focus_or_position_against_the_mean(devices: Any) -> None:
    scope = devices["scope"]
    expected = {
        "t": ({"time_plan": {"interval": 0, "loops": 2}}, [[["started_s", "t"], "primary"]]),
        "z": ({"z_plan": {"range": 2, "step": 1}}, [[["z_um", "z"], "primary"]]),
        "p": (
            {"stage_positions": [(0, 0, 2500), (30, 0, 2500)]},
            [[["x_um", "p"], "primary"], [["y_um"], "primary"]],
        ),
        "c": ({"channels": ["DAPI", "FITC"]}, [[["c"], "primary"]]),
    }
    for sequence, dimensions in expected.values():
        docs = await _run(mda(useq.MDASequence(**sequence), scope))
        start = next(d for n, d in docs if n == "start")
        assert start["hints"]["dimensions"] == dimensions
        descriptor = next(d for n, d in docs if n == "descriptor" and d["name"] == "primary")
        hinted = [f for hints in descriptor["hints"].values() for f in hints["fields"]]
        assert "scope-camera-mean" in hinted
        assert "scope-camera-image" not in hinted  # an image is no column

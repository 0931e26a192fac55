"""Every plan describes itself as bluesky-queueserver lists plans, with a valid JSON Schema,
and its arguments are checked against that description before anything moves.

The good and bad arguments are tables, one row per plan of ``skyscope.plans``; a test makes
sure no plan is missing from them.
"""

from __future__ import annotations

import inspect
import json
import math
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import jsonschema
import pytest
import useq
from _sim_scope import make_scope, release

import skyscope.plans as plans
from skyscope.devices import SoftDetector, SoftMotor, gaussian
from skyscope.engine import Engine
from skyscope.plans import (
    FocusSweep,
    LiveView,
    PlanArgumentError,
    describe_plan,
    describe_plans,
    is_plan_function,
    validate_plan_args,
)

PLANS = sorted(name for name in plans.__all__ if is_plan_function(getattr(plans, name)))
PLAN_FOR_WRAPPERS = "a plan"  # replaced by a real plan object in the argument tables
USER_PLANS = {
    "count", "scan", "rel_scan", "list_scan", "grid_scan", "mda", "tile_scan", "autofocus",
    "find_focus", "snap", "live",
}  # fmt: skip
"""Plans a user (or a queue server) runs as they are: every parameter is described."""


@dataclass(frozen=True)
class Bad:
    args: list[Any]
    kwargs: dict[str, Any]
    says: str
    """A fragment of the message."""


@dataclass(frozen=True)
class Table:
    good: list[tuple[list[Any], dict[str, Any]]]
    bad: list[Bad] = field(default_factory=list)


# useq's JSON Schema has durations as ISO 8601 strings and channels as objects (useq itself
# takes seconds and bare names too)
SEQUENCE = {"time_plan": {"interval": "PT0S", "loops": 2}, "channels": [{"config": "DAPI"}]}
SWEEP = {"half_range_um": 2.0, "coarse_step_um": 1.0, "fine_step_um": 1.0}
TABLES: dict[str, Table] = {
    "count": Table(
        [([["det"]], {"num": 3}), ([["det", "x"], None, 0.5], {"md": {"sample": "a"}})],
        [
            Bad([], {}, "missing parameter 'detectors'"),
            Bad([["det"]], {"nmu": 3}, "unknown parameter 'nmu' (did you mean 'num'?)"),
            Bad([["dte"]], {}, "detectors[0]: unknown device 'dte' (did you mean 'det'?)"),
            Bad([["det"]], {"num": "many"}, "num: Input should be a valid integer"),
            Bad([["view"]], {}, "detectors[0]: LiveView"),
            Bad([["det"], 1, 0.0, 4], {}, "takes 3 positional arguments"),
            Bad([["det"]], {"detectors": ["det"]}, "parameter 'detectors' is given twice"),
        ],
    ),
    "scan": Table(
        [([["det"], "x", -1, 1], {"num": 3}), ([["det"], "x", -1, 1, "y", 0, 2], {"num": 2})],
        [
            Bad([["det"], "x", -1, 1], {}, "missing parameter 'num'"),
            Bad([["det"], "xx", -1, 1], {"num": 2}, "unknown device 'xx' (did you mean 'x'?)"),
            Bad([["det"], "x", "low", 1], {"num": 2}, "args[1]: unknown device 'low' or "),
            Bad([["det"], "det", 0, 1], {"num": 2}, "'det' is not Movable: it has no set"),
        ],
    ),
    "rel_scan": Table(
        [([["det"], "x", -1, 1], {"num": 3})],
        [Bad([["det"], "x", -1, 1], {"num": 2.5}, "num: Input should be a valid integer")],
    ),
    "list_scan": Table(
        [([["det"], "x", [0, 1, 2]], {})],
        [Bad([["det"], "x", [0, "far"]], {}, "args[1][1]: Input should be a valid number")],
    ),
    "grid_scan": Table(
        [([["det"], "x", 0, 1, 3, "y", 0, 1, 2], {"snake_axes": True})],
        [Bad([["det"], "x", 0, 1, 3], {"snake_axes": ["why"]}, "unknown device 'why'")],
    ),
    "one_nd_step": Table(
        [([["det"], {"x": 1.0}, {}], {})],
        [Bad([["det"], {"x": "far"}, {}], {}, "step.x: Input should be a valid number")],
    ),
    "mv": Table(
        [(["x", 1.0, "y", 2.0], {})],
        [Bad(["x", 1.0], {"grop": "g"}, "unknown parameter 'grop' (did you mean 'group'?)")],
    ),
    "mvr": Table(
        [(["x", 0.5], {"group": "g"})],
        [Bad(["x", "up"], {}, "args[1]: unknown device 'up' or")],
    ),
    "trigger_and_read": Table(
        [([["det", "x"]], {"name": "baseline"})],
        [Bad([["det"]], {"name": 3}, "name: Input should be a valid string")],
    ),
    "finalize_wrapper": Table(
        [([PLAN_FOR_WRAPPERS, "cleanup"], {})],
        [Bad([PLAN_FOR_WRAPPERS], {}, "missing parameter 'final_plan'")],
    ),
    "relative_set_wrapper": Table(
        [([PLAN_FOR_WRAPPERS], {"devices": ["x"]})],
        [Bad([PLAN_FOR_WRAPPERS], {"devices": ["det"]}, "'det' is not Movable")],
    ),
    "reset_positions_wrapper": Table(
        [([PLAN_FOR_WRAPPERS], {"devices": None})],
        [Bad([PLAN_FOR_WRAPPERS], {"devices": "x"}, "devices: ")],
    ),
    "run_wrapper": Table(
        [([PLAN_FOR_WRAPPERS], {"md": {"sample": "s1"}})],
        [Bad([PLAN_FOR_WRAPPERS], {"md": 5}, "md: Input should be a valid dictionary")],
    ),
    "stage_wrapper": Table(
        [([PLAN_FOR_WRAPPERS, ["det", "x"]], {})],
        [Bad([PLAN_FOR_WRAPPERS, ["nobody"]], {}, "devices[0]: unknown device 'nobody'")],
    ),
    "intercept": Table(
        [([PLAN_FOR_WRAPPERS], {"replace": "cleanup"})],
        [Bad([PLAN_FOR_WRAPPERS], {"around": 5}, "around: int 5 is not callable")],
    ),
    "mda": Table(
        [([SEQUENCE, "scope"], {"focus_sweep": SWEEP, "sharpness": "brenner"})],
        [
            Bad(
                [{"time_plan": {"interval": 0, "loops": -1}}, "scope"],
                {},
                "sequence.time_plan.loops: Input should be greater than 0",
            ),
            Bad([SEQUENCE, "det"], {}, "'det' is not MicroscopeLike: it has no camera"),
            Bad([SEQUENCE, "scope"], {"focus_sweep": {"shrink": 0.5}}, "shrink factor"),
            Bad([SEQUENCE], {"microscope": "scope", "writer": "x"}, "'x' is not FrameWriter"),
        ],
    ),
    "autofocus": Table(
        [(["scope"], {"center_um": 2500, "sweep": SWEEP})],
        [Bad(["scope"], {"center": 1}, "unknown parameter 'center' (did you mean 'center_um'?)")],
    ),
    "find_focus": Table(
        [(["scope"], {"metric": "normalized_variance"})],
        [Bad(["scope"], {"sweep": {"coarse_step_um": "big"}}, "sweep.coarse_step_um")],
    ),
    "snap": Table(
        [(["camera"], {"timeout": 5})],
        [Bad(["x"], {}, "'x' is not CameraLike: it has no exposure, trigger, writer")],
    ),
    "tile_scan": Table(
        [(["scope"], {"rows": 2, "columns": 3, "field_of_view_um": [50, 40]})],
        [
            Bad(
                ["scope"], {"columns": 3, "field_of_view_um": [50, 40]}, "missing parameter 'rows'"
            ),
            Bad(
                ["scope"],
                {"rows": 1, "columns": 1, "field_of_view_um": [50]},
                "field_of_view_um[1]: Field required",
            ),
        ],
    ),
    "live": Table(
        [(["camera", "view"], {})],
        [Bad(["camera", "x"], {}, "view: 'x' is not a LiveView")],
    ),
}


@pytest.fixture
async def devices() -> AsyncIterator[dict[str, Any]]:
    x, y = SoftMotor("x", velocity=math.inf), SoftMotor("y", velocity=math.inf)
    det = SoftDetector("det", compute=gaussian(center=0.0, sigma=1.0), inputs=[x.readback])
    for device in (x, y, det):
        await device.connect()
    scope = await make_scope()
    yield {
        "x": x,
        "y": y,
        "det": det,
        "scope": scope,
        "camera": scope.camera,
        "view": LiveView(),
        "cleanup": lambda: None,
    }
    await release(scope)


def test_every_plan_has_argument_tables() -> None:
    assert sorted(TABLES) == PLANS


def test_describe_plans_lists_every_plan() -> None:
    described = describe_plans()
    assert sorted(described) == PLANS
    json.dumps(described)  # publishable as it is


@pytest.mark.parametrize("name", PLANS)
def test_a_plan_describes_itself_as_the_queue_server_lists_plans(name: str) -> None:
    fn = getattr(plans, name)
    description = describe_plan(fn)

    assert description["name"] == name
    assert description["module"] == "skyscope.plans"
    assert description["properties"] == {"is_generator": True}
    assert description["description"]
    signature = inspect.signature(fn)
    parameters = description["parameters"]
    assert [p["name"] for p in parameters] == list(signature.parameters)
    for entry, parameter in zip(parameters, signature.parameters.values(), strict=True):
        assert entry["kind"] == {"name": parameter.kind.name, "value": int(parameter.kind)}
        if "default" in entry:
            assert entry["default"] == repr(parameter.default)
        if name in USER_PLANS:
            assert entry.get("description"), f"{name}({parameter.name}) is not described"


@pytest.mark.parametrize("name", PLANS)
def test_its_schema_is_valid_json_schema_over_its_parameters(name: str) -> None:
    fn = getattr(plans, name)
    schema = describe_plan(fn)["schema"]

    jsonschema.Draft202012Validator.check_schema(schema)
    parameters = inspect.signature(fn).parameters.values()
    assert list(schema["properties"]) == [p.name for p in parameters]
    required = [
        p.name
        for p in parameters
        if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    assert schema.get("required", []) == required
    assert schema["additionalProperties"] is False


def test_devices_are_annotated_by_protocol_and_named_in_the_schema() -> None:
    count = {p["name"]: p for p in describe_plan(plans.count)["parameters"]}
    assert count["detectors"]["annotation"] == {"type": "typing.List[__READABLE__]"}
    scan = {p["name"]: p for p in describe_plan(plans.scan)["parameters"]}
    assert scan["args"]["annotation"] == {"type": "typing.Union[__MOVABLE__, float]"}
    assert scan["args"]["kind"] == {"name": "VAR_POSITIONAL", "value": 2}
    schema = describe_plan(plans.mda)["schema"]
    microscope = schema["properties"]["microscope"]
    assert microscope["type"] == "string"
    assert microscope["x-skyscope-kind"] == "MicroscopeLike"
    assert schema["properties"]["sequence"]["$ref"] == "#/$defs/MDASequence"
    assert "time_plan" in schema["$defs"]["MDASequence"]["properties"]  # useq's own schema


def _json_form(fn: Any, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The arguments as a queue server would send them: one JSON object by parameter name."""
    bound = inspect.signature(fn).bind(*args, **kwargs)
    return json.loads(json.dumps(dict(bound.arguments)))


def _with_plans(values: list[Any], kwargs: dict[str, Any], devices: dict[str, Any]) -> Any:
    def swap(value: Any) -> Any:
        return plans.count([devices["det"]]) if value == PLAN_FOR_WRAPPERS else value

    return [swap(v) for v in values], {k: swap(v) for k, v in kwargs.items()}


@pytest.mark.parametrize("name", PLANS)
async def test_good_arguments_pass_with_devices_resolved(name: str, devices: Any) -> None:
    fn = getattr(plans, name)
    validator = jsonschema.Draft202012Validator(describe_plan(fn)["schema"])
    for args, kwargs in TABLES[name].good:
        validator.validate(_json_form(fn, args, kwargs))
        real_args, real_kwargs = _with_plans(args, kwargs, devices)
        call_args, call_kwargs = validate_plan_args(fn, real_args, real_kwargs, devices)
        inspect.signature(fn).bind(*call_args, **call_kwargs)  # callable as it is
        for value in [*call_args, *call_kwargs.values()]:
            assert not (isinstance(value, str) and value in devices), "a device left unresolved"
        for value in real_args + list(real_kwargs.values()):
            if inspect.isasyncgen(value):
                await value.aclose()


@pytest.mark.parametrize("name", PLANS)
async def test_bad_arguments_are_refused_saying_why(name: str, devices: Any) -> None:
    fn = getattr(plans, name)
    for bad in TABLES[name].bad:
        args, kwargs = _with_plans(bad.args, bad.kwargs, devices)
        with pytest.raises(PlanArgumentError) as refused:
            validate_plan_args(fn, args, kwargs, devices)
        assert str(refused.value).startswith(f"{name}: ")
        assert bad.says in str(refused.value)


async def test_validated_arguments_run(devices: Any) -> None:
    engine = Engine(md={}, handle_sigint=False)
    docs: list[tuple[str, Any]] = []
    engine.subscribe(lambda name, doc: docs.append((name, doc)))
    args, kwargs = validate_plan_args(plans.scan, [["det"], "x", -1, 1], {"num": 3}, devices)
    await engine(plans.scan(*args, **kwargs))
    args, kwargs = validate_plan_args(plans.mda, [SEQUENCE, "scope"], {}, devices)
    assert isinstance(args[0], useq.MDASequence)
    await engine(plans.mda(*args, **kwargs))
    starts = [d for n, d in docs if n == "start"]
    assert [s["plan_name"] for s in starts] == ["scan", "mda"]
    assert sum(n == "event" for n, _ in docs) == 3 + 2 + 2  # the MDA's baseline: start, end


def test_a_sweep_given_as_json_becomes_a_focus_sweep(devices: Any) -> None:
    _, kwargs = validate_plan_args(plans.autofocus, ["scope"], {"sweep": SWEEP}, devices)
    assert kwargs["sweep"] == FocusSweep(**SWEEP)

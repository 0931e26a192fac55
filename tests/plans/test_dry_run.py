"""A dry run goes through the engine's plan loop, touches no hardware, and sums the plan up.

Every method of every device (the simulated microscope and all its parts, soft motors and
detectors) is wrapped to count its calls while the dry runs go; the count must stay zero.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _sim_scope import make_scope, release
from useq import MDASequence

import skyscope.plans as plans
from skyscope.devices import SoftDetector, SoftMotor
from skyscope.devices.sim import Microscope
from skyscope.engine import DryRunLimit, Engine, Msg
from skyscope.plans import (
    FocusSweep,
    LiveView,
    baseline_wrapper,
    count,
    dry_run,
    inject_md_wrapper,
    is_plan_function,
    mda,
    monitor_during_wrapper,
)

STRUCTURE = frozenset({"children", "_kinds"})
"""Methods that walk a device's in-memory tree (to name its fields and hints): no I/O."""


def _devices(root: Any) -> Iterator[Any]:
    yield root
    for _name, child in root.children():
        yield from _devices(child)


@contextmanager
def counting_calls(*roots: Any) -> Iterator[list[str]]:
    """Wrap every method of every device under ``roots``; yield the list of calls made."""
    calls: list[str] = []
    wrapped: list[tuple[Any, str]] = []
    for root in roots:
        for device in _devices(root):
            for attr in dir(type(device)):
                if attr.startswith("__") or attr in STRUCTURE:
                    continue
                static = inspect.getattr_static(type(device), attr)
                if not inspect.isfunction(static):
                    continue
                object.__setattr__(device, attr, _counted(getattr(device, attr), calls, attr))
                wrapped.append((device, attr))
    try:
        yield calls
    finally:
        for device, attr in wrapped:
            object.__delattr__(device, attr)


def _counted(method: Callable[..., Any], calls: list[str], attr: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        calls.append(attr)
        return method(*args, **kwargs)

    return call


@pytest.fixture
async def scope() -> Any:
    microscope = await make_scope()
    yield microscope
    await release(microscope)


@pytest.fixture
async def soft() -> tuple[SoftMotor, SoftMotor, SoftDetector]:
    x = SoftMotor("x", velocity=4.0, limits=(-10, 10))
    y = SoftMotor("y", velocity=4.0)
    det = SoftDetector("det")
    for device in (x, y, det):
        await device.connect()
    return x, y, det


FULL_MDA = {
    "z_plan": {"range": 4, "step": 1},
    "channels": ["DAPI", "FITC"],
    "stage_positions": [(0, 0, 100), (200, 100, 110)],
    "grid_plan": {"rows": 2, "columns": 2},
    "time_plan": {"interval": 1, "loops": 3},
}


def _every_plan(scope: Microscope, soft: tuple[Any, ...]) -> dict[str, Any]:
    """One call of every plan function of ``skyscope.plans`` (and the wrappers), by name."""
    x, y, det = soft
    camera = scope.camera
    return {
        "count": lambda: plans.count([det], num=3, delay=0.5),
        "scan": lambda: plans.scan([det], x, -1, 1, num=5),
        "rel_scan": lambda: plans.rel_scan([det], x, -1, 1, num=3),
        "list_scan": lambda: plans.list_scan([det], x, [1, 2, 20]),
        "grid_scan": lambda: plans.grid_scan([det], x, 0, 1, 2, y, 0, 1, 3, snake_axes=True),
        "one_nd_step": lambda: plans.run_wrapper(plans.one_nd_step([det], {x: 1.0}, {})),
        "mv": lambda: plans.mv(x, 3, y, 4),
        "mvr": lambda: plans.mvr(x, 1),
        "trigger_and_read": lambda: plans.run_wrapper(plans.trigger_and_read([y, det])),
        "finalize_wrapper": lambda: plans.finalize_wrapper(count([det]), plans.mv(x, 0)),
        "relative_set_wrapper": lambda: plans.relative_set_wrapper(plans.mv(x, 1), [x]),
        "reset_positions_wrapper": lambda: plans.reset_positions_wrapper(plans.mv(x, 1), [x]),
        "run_wrapper": lambda: plans.run_wrapper(plans.trigger_and_read([det])),
        "stage_wrapper": lambda: plans.stage_wrapper(count([det]), [det]),
        "intercept": lambda: plans.intercept(count([det])),
        "baseline_wrapper": lambda: baseline_wrapper(count([det]), [y]),
        "monitor_during_wrapper": lambda: monitor_during_wrapper(count([det]), [y.readback]),
        "inject_md_wrapper": lambda: inject_md_wrapper(count([det]), {"sample": "s"}),
        "mda": lambda: mda(MDASequence(**FULL_MDA), scope),
        "autofocus": lambda: plans.autofocus(scope, sweep=FocusSweep(4, 2, 1)),
        "find_focus": lambda: plans.find_focus(scope, sweep=FocusSweep(4, 2, 1)),
        "snap": lambda: plans.snap(camera),
        "tile_scan": lambda: plans.tile_scan(
            scope, rows=2, columns=3, field_of_view_um=(50.0, 40.0)
        ),
        "live": lambda: plans.live(camera, LiveView()),
    }


def test_every_plan_function_is_in_the_dry_run_test() -> None:
    found = {n for n in plans.__all__ if is_plan_function(getattr(plans, n))}
    assert found <= _names(), found - _names()


def _names() -> set[str]:
    source = inspect.getsource(_every_plan)
    return {n for n in plans.__all__ if f'"{n}":' in source}


async def test_no_plan_touches_hardware_in_a_dry_run(scope: Microscope, soft) -> None:
    frame = np.arange(64 * 64, dtype=np.uint16).reshape(64, 64)
    readings = {scope.camera: {"image": {"value": frame, "timestamp": 0.0}}}
    summaries: dict[str, Any] = {}
    with counting_calls(scope, *soft) as calls:
        for name, make in _every_plan(scope, soft).items():
            if name == "live":  # endless until stopped: the dry run stops it at its limit
                with pytest.raises(DryRunLimit):
                    await dry_run(make(), readings=readings, max_messages=200)
                continue
            summaries[name] = await dry_run(make(), readings=readings)
    assert calls == []
    assert summaries["count"].events == {"primary": 3}
    assert summaries["count"].duration_s == pytest.approx(1.0)
    assert summaries["grid_scan"].total_events == 6
    assert summaries["tile_scan"].frames == 6


async def test_a_full_mda_summary(scope: Microscope) -> None:
    with counting_calls(scope) as calls:
        summary = await dry_run(
            mda(MDASequence(**FULL_MDA), scope),
            limits={scope.focus: (0.0, 105.0), "scope-xy-x": (-1000.0, 1000.0)},
        )
    assert calls == []
    frames = 3 * 2 * 4 * 2 * 5  # time x positions x grid x channels x z
    assert summary.runs == 1
    assert summary.events == {"primary": frames, "baseline": 2}
    assert summary.frames == frames
    focus = summary.moves["scope-focus"]
    assert (focus.low, focus.high) == (98.0, 112.0)
    assert {str(p) for p in summary.out_of_limits} >= {
        "scope-focus to 108.0: outside its limits [0.0, 105.0]"
    }
    assert all(p.axis == "scope-focus" and p.target > 105 for p in summary.out_of_limits)
    assert set(summary.moves) >= {"scope-xy-x", "scope-xy-y", "scope-focus"}
    assert any("wait_for" in what for what in summary.unpredicted)  # the time plan's waits


async def test_out_of_limits_targets_and_moves_of_a_scan(soft) -> None:
    x, _, det = soft
    summary = await dry_run(plans.list_scan([det], x, [1, 2, 20]), limits={x: (-10, 10)})
    assert summary.moves["x"].moves == 3
    assert (summary.moves["x"].low, summary.moves["x"].high) == (1, 20)
    assert [str(p) for p in summary.out_of_limits] == ["x to 20.0: outside its limits [-10, 10]"]
    assert await x.readback.get_value() == 0.0


async def test_a_plan_that_would_fail_fails_its_dry_run(soft) -> None:
    async def unbalanced() -> Any:
        yield Msg("close_run")

    with pytest.raises(Exception, match="no open run"):
        await dry_run(unbalanced())


async def test_a_registered_command_declares_its_dry_run() -> None:
    engine = Engine(md={}, handle_sigint=False)
    fired: list[str] = []

    async def laser(msg: Msg) -> Any:
        fired.append("real")

    def laser_dry(ctx: Any, msg: Msg) -> Any:
        ctx.session.simulation.duration_s += msg.args[0]
        return "simulated"

    engine.register_command("laser", laser, replay=False, dry_run=laser_dry)
    answers: list[Any] = []

    async def plan() -> Any:
        answers.append((yield Msg("laser", None, 2.5)))

    summary = await engine.dry_run(plan())
    assert answers == ["simulated"]
    assert fired == []
    assert summary.duration_s == 2.5
    engine.unregister_command("laser")
    engine.register_command("laser", laser)
    summary = await engine.dry_run(plan())
    assert summary.unpredicted == ("1 x 'laser' (no dry run declared)",)


async def test_the_call_counter_sees_a_real_run(soft) -> None:
    x, _, det = soft
    with counting_calls(x, det) as calls:
        await Engine(md={}, handle_sigint=False)(plans.scan([det], x, 0, 1, num=2))
    assert {"set", "trigger", "read"} <= set(calls)


async def test_a_pause_asked_during_a_dry_run_ends_it_and_leaves_the_engine_idle() -> None:
    engine = Engine(md={}, handle_sigint=False)

    async def plan() -> Any:
        yield Msg("open_run")
        engine.request_pause(defer=True)  # as Ctrl-C would
        yield Msg("checkpoint")
        yield Msg("sleep", None, 3.0)
        yield Msg("close_run")

    summary = await engine.dry_run(plan())
    assert summary.runs == 1
    assert summary.duration_s == 0.0  # ended at the checkpoint
    assert engine.state.value == "idle"


async def test_an_mda_whose_camera_writes_files_dry_runs_without_hardware_or_files(
    tmp_path: Path,
) -> None:
    from skyscope.writers import HDF5FrameWriter

    scope = await make_scope(writer=HDF5FrameWriter(tmp_path / "frames.h5"), realtime=True)
    sequence = MDASequence(channels=["DAPI"], time_plan={"interval": 0, "loops": 4})
    try:
        with counting_calls(scope) as calls:
            summary = await dry_run(mda(sequence, scope))
        assert calls == []
        assert summary.events == {"primary": 4, "baseline": 2}
        assert not (tmp_path / "frames.h5").exists()
    finally:
        await release(scope)

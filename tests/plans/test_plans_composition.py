"""Plans compose: sub-plans return values, run concurrently, and dry-run without hardware."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Generator
from typing import Any

import bluesky.plans as bp
import pytest

from skyscope.devices import SoftDetector, SoftMotor
from skyscope.engine import Engine, Msg, Return
from skyscope.plans import (
    count,
    dry_run,
    monitor_during_wrapper,
    mv,
    mvr,
    parallel,
    read,
    rel_scan,
    run_wrapper,
    scan,
    trigger_and_read,
)


@pytest.fixture
async def devices() -> tuple[SoftMotor, SoftMotor, SoftDetector]:
    x = SoftMotor("x", velocity=4.0)
    y = SoftMotor("y", velocity=4.0)
    det = SoftDetector("det")
    for device in (x, y, det):
        await device.connect()
    return x, y, det


@pytest.fixture
def engine() -> Engine:
    return Engine(md={}, handle_sigint=False)


async def test_a_sub_plan_returns_its_value_to_the_parent(engine: Engine, devices) -> None:
    _, _, det = devices

    async def brightest(n: int) -> AsyncGenerator[Any, Any]:
        values = []
        for _ in range(n):
            reading = yield trigger_and_read([det])
            values.append(reading["det-value"]["value"])
        yield Return(max(values))

    def legacy() -> Generator[Any, Any, Any]:
        reading = yield Msg("read", det)
        return reading["det-value"]["value"] * 10

    async def plan() -> AsyncGenerator[Any, Any]:
        best = yield brightest(3)
        scaled = yield legacy()
        yield Return((best, scaled))

    result = await engine(run_wrapper(plan()))
    assert result.plan_result == (3, 30)


async def test_adaptive_plan_awaits_analysis_between_messages(engine: Engine, devices) -> None:
    x, _, _det = devices

    async def analyse(value: float) -> float:
        await asyncio.sleep(0)  # stands for analysis done off the loop
        return value / 2

    async def plan() -> AsyncGenerator[Any, Any]:
        target = 4.0
        for _ in range(3):
            yield mv(x, target)
            target = await analyse(target)
        position = yield read(x)
        yield Return(position["x-readback"]["value"])

    result = await engine(plan())
    assert result.plan_result == 1.0


async def test_parallel_moves_two_axes_at_once(engine: Engine, devices) -> None:
    x, y, _ = devices
    updates: list[tuple[str, float]] = []
    x.readback.subscribe_value(lambda value: updates.append(("x", value)))
    y.readback.subscribe_value(lambda value: updates.append(("y", value)))
    results = (await engine(_parallel_plan(mv(x, 1.0), mv(y, 1.0)))).plan_result
    assert len(results) == 2
    assert await x.readback.get_value() == await y.readback.get_value() == 1.0
    # at once, not one after the other: each axis was under way before the other arrived
    x_arrived = updates.index(("x", 1.0))
    y_arrived = updates.index(("y", 1.0))
    assert any(axis == "y" and 0 < value < 1 for axis, value in updates[:x_arrived])
    assert any(axis == "x" and 0 < value < 1 for axis, value in updates[:y_arrived])


async def test_parallel_failure_cancels_the_siblings(engine: Engine, devices) -> None:
    x, _, _ = devices

    async def fails() -> AsyncGenerator[Any, Any]:
        yield Msg("sleep", None, 0.05)
        raise RuntimeError("branch failed")

    with pytest.raises(RuntimeError, match="branch failed"):
        await engine(_parallel_plan(mv(x, 100.0), fails()))
    assert await x.readback.get_value() < 100.0


async def _parallel_plan(*plans: Any) -> AsyncGenerator[Any, Any]:
    results = yield parallel(*plans)
    yield Return(results)


async def test_mvr_and_rel_scan_return_to_start(engine: Engine, devices) -> None:
    x, _, det = devices
    await engine(mv(x, 1.0))
    await engine(mvr(x, 0.5))
    assert await x.readback.get_value() == 1.5
    docs: list[Any] = []
    engine.subscribe(lambda name, doc: docs.append((name, doc)))
    await engine(rel_scan([det], x, -0.5, 0.5, num=3))
    positions = [d["data"]["x-readback"] for n, d in docs if n == "event"]
    assert positions == [1.0, 1.5, 2.0]
    assert await x.readback.get_value() == 1.5


async def test_monitor_during_wrapper_records_updates(engine: Engine, devices) -> None:
    x, _, _det = devices
    docs: list[Any] = []
    engine.subscribe(lambda name, doc: docs.append((name, doc)))

    async def move_twice() -> AsyncGenerator[Any, Any]:
        yield mv(x, 0.2)
        yield mv(x, 0.4)

    await engine(monitor_during_wrapper(run_wrapper(move_twice()), [x.readback]))
    streams = {d["name"] for n, d in docs if n == "descriptor"}
    assert streams == {"x-readback_monitor"}
    assert len([d for n, d in docs if n == "event"]) > 2


async def test_dry_run_lists_messages_without_touching_hardware(devices) -> None:
    x, _, det = devices
    summary = await dry_run(scan([det], x, 0, 1, num=3))
    commands = [m.command for m in summary.messages]
    assert commands[:3] == ["stage", "stage", "open_run"]
    assert commands.count("save") == 3
    assert commands[-1] == "unstage"
    assert await x.readback.get_value() == 0.0  # nothing moved


async def test_dry_run_follows_bluesky_plans_too(devices) -> None:
    x, _, det = devices
    summary = await dry_run(bp.scan([det], x, 0, 1, 2))
    assert [m.command for m in summary.messages].count("save") == 2
    assert summary.events == {"primary": 2}


async def test_dry_run_stops_an_endless_plan(devices) -> None:
    _, _, det = devices
    with pytest.raises(RuntimeError, match="more than 50 messages"):
        await dry_run(count([det], num=None), max_messages=50)


@pytest.mark.parametrize(
    ("error", "reason"), [(ValueError("womp womp"), "womp womp"), (KeyError(), "KeyError")]
)
async def test_run_wrapper_gives_the_failure_as_bluesky_does(error: Exception, reason: str) -> None:
    engine = Engine(md={}, handle_sigint=False, raise_on_fail=False)
    stops: list[Any] = []
    engine.subscribe(lambda name, doc: stops.append(doc) if name == "stop" else None)

    async def fails() -> AsyncGenerator[Any, Any]:
        yield Msg("null")
        raise error

    result = await engine(run_wrapper(fails()))
    assert result.exit_status == "fail"
    assert [(s["exit_status"], s["reason"]) for s in stops] == [("fail", reason)]

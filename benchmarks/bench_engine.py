"""Engine overhead per point: skyscope's engine against bluesky's RunEngine, side by side.

Plans: ``count`` (N = 1000 and 10000) and ``scan`` (N = 1000) of soft devices, every document
validated, one no-op subscriber. Three setups in one process:

- ``bluesky``: bluesky's RunEngine + ``bluesky.plans`` + ophyd-async soft devices (the anchor);
- ``skyscope``: skyscope's Engine + ``skyscope.plans`` + skyscope soft devices;
- ``skyscope+oa``: skyscope's Engine running ``bluesky.plans`` on the same ophyd-async devices.

Prints µs per point (median of repeats) and ratios; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import bluesky.plans as bp
from bluesky import RunEngine
from bluesky.run_engine import call_in_bluesky_event_loop
from ophyd_async.core import init_devices
from ophyd_async.sim import SimMotor, SimPointDetector

import skyscope.plans as sp
from skyscope.devices import SoftDetector, SoftMotor, gaussian
from skyscope.engine import Engine


def _noop(name: str, doc: Any) -> None:
    return None


def _median_us(samples: list[float], n: int) -> float:
    return statistics.median(samples) / n * 1e6


async def _ophyd_async_devices() -> tuple[Any, Any]:
    """An instant ophyd-async motor and a point detector with no acquisition time."""
    async with init_devices():
        motor = SimMotor(instant=True)
        det = SimPointDetector(None, num_channels=1)
    await det.acquire_time.set(0.0)
    return motor, det


def bench_bluesky(cases: list[tuple[str, int]], repeats: int) -> dict[str, float]:
    """Time bluesky's RunEngine on ophyd-async soft devices."""
    re = RunEngine({}, call_returns_result=True)
    re.subscribe(_noop)

    motor, det = call_in_bluesky_event_loop(_ophyd_async_devices())
    plans: dict[str, Callable[[int], Any]] = {
        "count": lambda n: bp.count([det], n),
        "scan": lambda n: bp.scan([det], motor, -1, 1, n),
    }
    out = {}
    for plan, n in cases:
        samples = []
        for _ in range(repeats):
            started = time.perf_counter()
            re(plans[plan](n))
            samples.append(time.perf_counter() - started)
        out[f"{plan}_{n}"] = _median_us(samples, n)
    return out


async def bench_skyscope(cases: list[tuple[str, int]], repeats: int) -> dict[str, float]:
    """Time skyscope's engine on skyscope soft devices."""
    engine = Engine(md={}, handle_sigint=False)
    engine.subscribe(_noop)
    motor = SoftMotor("motor", velocity=float("inf"))
    await motor.connect()
    det = SoftDetector("det", compute=gaussian(), inputs=[motor.readback])
    await det.connect()
    plans: dict[str, Callable[[int], Any]] = {
        "count": lambda n: sp.count([det], n),
        "scan": lambda n: sp.scan([det], motor, -1, 1, num=n),
    }
    return await _time_engine(engine, plans, cases, repeats)


async def bench_skyscope_ophyd_async(
    cases: list[tuple[str, int]], repeats: int
) -> dict[str, float]:
    """Time skyscope's engine running bluesky's plans on the ophyd-async devices."""
    engine = Engine(md={}, handle_sigint=False)
    engine.subscribe(_noop)
    motor, det = await _ophyd_async_devices()
    plans: dict[str, Callable[[int], Any]] = {
        "count": lambda n: bp.count([det], n),
        "scan": lambda n: bp.scan([det], motor, -1, 1, n),
    }
    return await _time_engine(engine, plans, cases, repeats)


async def _time_engine(
    engine: Engine,
    plans: dict[str, Callable[[int], Any]],
    cases: list[tuple[str, int]],
    repeats: int,
) -> dict[str, float]:
    await engine(plans["count"](10))  # warm up imports and caches
    out = {}
    for plan, n in cases:
        samples = []
        for _ in range(repeats):
            started = time.perf_counter()
            result = await engine(plans[plan](n))
            samples.append(time.perf_counter() - started)
            assert result.exit_status == "success"
        out[f"{plan}_{n}"] = _median_us(samples, n)
    return out


def main() -> None:
    """Run the comparison and print the table and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer points, under a minute")
    args = parser.parse_args()
    if args.quick:
        cases, repeats, bluesky_repeats = [("count", 1000), ("scan", 1000)], 3, 1
    else:
        cases, repeats, bluesky_repeats = [("count", 1000), ("count", 10000), ("scan", 1000)], 5, 3
    bluesky_cases = [(p, min(n, 1000)) if args.quick else (p, n) for p, n in cases]
    anchor = bench_bluesky(bluesky_cases, bluesky_repeats)
    ours = asyncio.run(bench_skyscope(cases, repeats))
    mixed = asyncio.run(bench_skyscope_ophyd_async(cases, repeats))
    figures: dict[str, float] = {}
    print(f"{'case':<14}{'bluesky µs/pt':>16}{'skyscope µs/pt':>17}{'skyscope+oa µs/pt':>20}")
    for key in ours:
        print(f"{key:<14}{anchor[key]:>16.1f}{ours[key]:>17.1f}{mixed[key]:>20.1f}")
        figures[f"bluesky_us_per_point_{key}"] = round(anchor[key], 1)
        figures[f"skyscope_us_per_point_{key}"] = round(ours[key], 1)
        figures[f"skyscope_ophyd_async_us_per_point_{key}"] = round(mixed[key], 1)
        figures[f"speedup_{key}"] = round(anchor[key] / ours[key], 1)
        figures[f"speedup_{key}_same_devices"] = round(anchor[key] / mixed[key], 1)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

"""Engine overhead per point: skyscope's engine against bluesky's RunEngine, side by side.

Plans: ``count`` (N = 1000 and 10000) and ``scan`` (N = 1000) of soft devices, every document
validated, one no-op subscriber. Three setups in one process:

- ``bluesky``: bluesky's RunEngine + ``bluesky.plans`` + ophyd-async soft devices (the anchor);
- ``skyscope``: skyscope's Engine + ``skyscope.plans`` + skyscope soft devices;
- ``skyscope+oa``: skyscope's Engine running ``bluesky.plans`` on the same ophyd-async devices.

Prints µs per point (median of repeats) and the speedups (median of the repeats' paired
ratios); the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
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


class BlueskySetup:
    """bluesky's RunEngine with ophyd-async devices: the anchor."""

    def __init__(self) -> None:
        self.re = RunEngine({}, call_returns_result=True)
        self.re.subscribe(_noop)
        motor, det = call_in_bluesky_event_loop(_ophyd_async_devices())
        self.plans: dict[str, Callable[[int], Any]] = {
            "count": lambda n: bp.count([det], n),
            "scan": lambda n: bp.scan([det], motor, -1, 1, n),
        }

    def time(self, plan: str, n: int) -> float:
        """Seconds to run ``plan`` of ``n`` points once."""
        started = time.perf_counter()
        self.re(self.plans[plan](n))
        return time.perf_counter() - started


class SkyscopeSetup:
    """skyscope's engine on its own loop, with skyscope's or ophyd-async's devices."""

    def __init__(self, devices: str) -> None:
        self.runner = asyncio.Runner()
        self.engine = Engine(md={}, handle_sigint=False)
        self.engine.subscribe(_noop)
        self.plans = self.runner.run(self._make(devices))
        self.time("count", 10)  # warm up imports and caches

    async def _make(self, devices: str) -> dict[str, Callable[[int], Any]]:
        if devices == "ophyd-async":
            oa_motor, oa_det = await _ophyd_async_devices()
            return {
                "count": lambda n: bp.count([oa_det], n),
                "scan": lambda n: bp.scan([oa_det], oa_motor, -1, 1, n),
            }
        motor = SoftMotor("motor", velocity=float("inf"))
        await motor.connect()
        det = SoftDetector("det", compute=gaussian(), inputs=[motor.readback])
        await det.connect()
        return {
            "count": lambda n: sp.count([det], n),
            "scan": lambda n: sp.scan([det], motor, -1, 1, num=n),
        }

    def time(self, plan: str, n: int) -> float:
        """Seconds to run ``plan`` of ``n`` points once."""
        started = time.perf_counter()
        result = self.runner.run(self.engine(self.plans[plan](n)))
        elapsed = time.perf_counter() - started
        assert result.exit_status == "success"
        return elapsed


def measure(
    cases: list[tuple[str, int]], repeats: int, anchor_max_n: int
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    """Interleave the three setups repeat by repeat, so machine noise hits all alike.

    Each timing starts from a collected heap (``gc.collect()`` first, untimed): one setup's
    garbage would otherwise be traversed during the next one's run. Returns the median µs per
    point of each setup, and the median over repeats of each repeat's ratio to the anchor.
    """
    setups = {
        "bluesky": BlueskySetup(),
        "skyscope": SkyscopeSetup("skyscope"),
        "skyscope_ophyd_async": SkyscopeSetup("ophyd-async"),
    }
    medians: dict[str, dict[str, float]] = {name: {} for name in setups}
    ratios: dict[str, dict[str, float]] = {name: {} for name in setups}
    for plan, n in cases:
        samples: dict[str, list[float]] = {name: [] for name in setups}
        for _ in range(repeats):
            for name, setup in setups.items():
                points = min(n, anchor_max_n) if name != "skyscope" else n
                gc.collect()
                samples[name].append(setup.time(plan, points) / points)
        key = f"{plan}_{n}"
        for name in setups:
            medians[name][key] = statistics.median(samples[name]) * 1e6
            paired = [a / b for a, b in zip(samples["bluesky"], samples[name], strict=True)]
            ratios[name][key] = statistics.median(paired)
    return medians, ratios


def main() -> None:
    """Run the comparison and print the table and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer points, under a minute")
    args = parser.parse_args()
    if args.quick:
        cases, repeats, anchor_max_n = [("count", 1000), ("scan", 1000)], 9, 150
    else:
        cases, repeats, anchor_max_n = [("count", 1000), ("count", 10000), ("scan", 1000)], 5, 10000
    results, ratios = measure(cases, repeats, anchor_max_n)
    anchor, ours, mixed = results["bluesky"], results["skyscope"], results["skyscope_ophyd_async"]
    figures: dict[str, float] = {}
    print(f"{'case':<14}{'bluesky µs/pt':>16}{'skyscope µs/pt':>17}{'skyscope+oa µs/pt':>20}")
    for key in ours:
        print(f"{key:<14}{anchor[key]:>16.1f}{ours[key]:>17.1f}{mixed[key]:>20.1f}")
        figures[f"bluesky_us_per_point_{key}"] = round(anchor[key], 1)
        figures[f"skyscope_us_per_point_{key}"] = round(ours[key], 1)
        figures[f"skyscope_ophyd_async_us_per_point_{key}"] = round(mixed[key], 1)
        figures[f"speedup_{key}"] = round(ratios["skyscope"][key], 1)
        figures[f"speedup_{key}_same_devices"] = round(ratios["skyscope_ophyd_async"][key], 1)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

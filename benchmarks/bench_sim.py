"""Render rate of the simulated microscope's camera, against numpy's raw cost of one noise frame.

skyscope: ``MicroscopeModel.snap(out)`` with physics on (sample scene, exposure * power,
bleaching, dark current, shot + read noise, offset, gain, saturation) at 512x512 and 2048x2048.
Anchor: what a naive simulator pays per frame for the noise alone, ``Generator.poisson(mean)``
on a frame of the same shape (and, for reference, ``Generator.standard_normal``). Both run on a
worker thread, as bluesky's RunEngine would run them. Also reported: the "poisson" noise model,
the physics-free "pattern" mode, and the cost of rendering a new field of view (stage moved).

    python benchmarks/bench_sim.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
from collections.abc import Callable

import numpy as np

from skyscope.devices.sim import CameraSettings, MicroscopeModel


def per_call_s(fn: Callable[[], object], calls: int, repeats: int) -> float:
    """Median over ``repeats`` of the mean time of one call in a batch of ``calls``."""
    fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - start) / calls)
    return statistics.median(samples)


def on_worker(fn: Callable[[], float]) -> float:
    """Run ``fn`` on a worker thread and return its result."""
    result: list[float] = []
    thread = threading.Thread(target=lambda: result.append(fn()))
    thread.start()
    thread.join()
    return result[0]


def model_for(size: int, **kwargs: object) -> MicroscopeModel:
    """A 2048^2 camera reading a centred sizexsize ROI, 10 ms exposures, 20x objective."""
    start = (2048 - size) // 2
    camera = CameraSettings(exposure_s=0.01, roi=(start, start, size, size))
    return MicroscopeModel(seed=1, camera=camera, **kwargs)  # type: ignore[arg-type]


def measure(size: int, calls: int, repeats: int) -> dict[str, float]:
    """Time skyscope's frame paths and the numpy anchors at one frame size."""
    figures: dict[str, float] = {}
    for label, kwargs in (("physics", {}), ("poisson", {"noise": "poisson"}), ("pattern", {})):
        model = model_for(size, **({"mode": "pattern"} if label == "pattern" else kwargs))
        out = np.empty((size, size), np.uint16)
        n = calls if label != "poisson" else max(2, calls // 8)
        figures[label] = on_worker(
            lambda m=model, o=out, n=n: per_call_s(lambda: m.snap(o), n, repeats)
        )
    mean = model_for(size).expected_electrons()
    rng = np.random.default_rng(0)
    figures["numpy_poisson"] = on_worker(
        lambda: per_call_s(lambda: rng.poisson(mean), max(2, calls // 8), repeats)
    )
    buf = np.empty((size, size), np.float32)
    figures["numpy_normal"] = on_worker(
        lambda: per_call_s(lambda: rng.standard_normal(dtype=np.float32, out=buf), calls, repeats)
    )
    moving = model_for(size)
    step = [moving.field_of_view_um()[0]]

    def new_field() -> None:
        # back and forth between two neighbouring fields: each snap renders a new view
        moving.x_um += step[0]
        step[0] = -step[0]
        moving.snap()

    figures["new_field"] = on_worker(lambda: per_call_s(new_field, 2, repeats))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a run under a minute")
    args = parser.parse_args()
    results: dict[str, float] = {}
    for size, calls in ((512, 200), (2048, 16)):
        calls = calls // 4 if args.quick else calls
        f = measure(size, calls, repeats=3 if args.quick else 7)
        print(f"{size}x{size}: per frame (median)")
        for key, value in f.items():
            print(f"  {key:14s} {value * 1e3:9.2f} ms  {1 / value:9.1f} frames/s")
        results[f"frames_per_s_{size}"] = round(1 / f["physics"], 1)
        results[f"frames_per_s_poisson_{size}"] = round(1 / f["poisson"], 1)
        results[f"frames_per_s_pattern_{size}"] = round(1 / f["pattern"], 1)
        results[f"new_field_ms_{size}"] = round(f["new_field"] * 1e3, 1)
        results[f"numpy_poisson_ms_{size}"] = round(f["numpy_poisson"] * 1e3, 2)
        results[f"speedup_frame_vs_numpy_poisson_{size}"] = round(
            f["numpy_poisson"] / f["physics"], 2
        )
        results[f"speedup_frame_vs_numpy_normal_{size}"] = round(
            f["numpy_normal"] / f["physics"], 2
        )
    print(json.dumps(results))


if __name__ == "__main__":
    main()

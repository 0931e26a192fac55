"""Micro-Manager MDA throughput: skyscope's ``mda`` against pymmcore-plus's runner, same core.

Both sides drive a ``UniMMCore`` loaded with skyscope's demo devices (``demo_rig``): the same
pure-Python camera (512x512 uint16, a cached pattern plus a header per frame, no real-time
waits), stages and filter wheel. The sequence is a time-lapse of N frames with interval 0.
skyscope runs ``mda(sequence, build_microscope(core))`` on its engine; pymmcore-plus runs
``core.mda.run(sequence)`` (its ``MDAEngine``).

Comparisons (frames/s, medians of repeats, the sides taking turns; core set-up not timed):
- ``no_writer``: one snap per event, frames not saved (skyscope: frames inline in the events;
  pymmcore-plus: hardware sequencing off, no output).
- ``burst_no_writer``: pymmcore-plus sequences the whole time-lapse through the circular buffer,
  no output. skyscope bursts only into a camera's own file, so without a writer it takes one
  snap per event: this row is skyscope's per-event path against pymmcore-plus's burst.
- ``ome_zarr``: one snap per event to OME-Zarr (skyscope: ``mda(writer=OMEZarrFrameWriter)``,
  a growing (t, y, x) image; pymmcore-plus: ``output="….ome.zarr"``, its ome-writers sink).
- ``burst_ome_zarr``: the camera streams the time-lapse as one sequence through the circular
  buffer into OME-Zarr (skyscope: the camera's own ``OMEZarrFrameWriter``, one event per frame;
  pymmcore-plus: hardware sequencing with its OME-Zarr output).

    python benchmarks/bench_mm.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import useq

from skyscope.devices.mm import build_microscope
from skyscope.devices.mm.demo import demo_rig
from skyscope.engine import Engine
from skyscope.plans import mda
from skyscope.writers import OMEZarrFrameWriter

SHAPE = (512, 512)
logging.getLogger("pymmcore-plus").setLevel(logging.CRITICAL)  # no Micro-Manager install: fine


def _sequence(frames: int) -> useq.MDASequence:
    return useq.MDASequence(time_plan={"interval": 0, "loops": frames})


def pymmcore_rate(frames: int, out: Path | None, sequencing: bool) -> float:
    rig = demo_rig(shape=SHAPE)
    try:
        rig.core.mda.engine.use_hardware_sequencing = sequencing  # type: ignore[union-attr]
        start = time.perf_counter()
        rig.core.mda.run(_sequence(frames), output=str(out) if out else None)
        return frames / (time.perf_counter() - start)
    finally:
        rig.close()


async def _skyscope_run(frames: int, out: Path | None, camera_writes: bool) -> float:
    rig = demo_rig(shape=SHAPE)
    camera_writer = OMEZarrFrameWriter(out) if (out and camera_writes) else None
    plan_writer = OMEZarrFrameWriter(out) if (out and not camera_writes) else None
    scope = await build_microscope(rig.core, writer=camera_writer)
    try:
        engine = Engine(md={}, handle_sigint=False)
        start = time.perf_counter()
        await engine(mda(_sequence(frames), scope, writer=plan_writer))
        return frames / (time.perf_counter() - start)
    finally:
        await scope.close()
        rig.close()


def skyscope_rate(frames: int, out: Path | None, camera_writes: bool = False) -> float:
    rate = asyncio.run(_skyscope_run(frames, out, camera_writes))
    gc.collect()
    return rate


Run = Callable[[Path | None], float]


def median_rates(ours: Run, theirs: Run, repeats: int, to_disk: bool) -> tuple[float, float]:
    """Median frames/s of each side, the sides taking turns (the machine's load drifts)."""
    rates: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for side, run in enumerate((ours, theirs)):
            with tempfile.TemporaryDirectory() as tmp:
                rates[side].append(run(Path(tmp) / "frames.ome.zarr" if to_disk else None))
    return statistics.median(rates[0]), statistics.median(rates[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer frames and repeats")
    args = parser.parse_args()
    frames, repeats = (150, 3) if args.quick else (1000, 5)
    comparisons = {
        "no_writer": (
            lambda p: skyscope_rate(frames, p),
            lambda p: pymmcore_rate(frames, p, sequencing=False),
            False,
        ),
        "burst_no_writer": (
            lambda p: skyscope_rate(frames, p),
            lambda p: pymmcore_rate(frames, p, sequencing=True),
            False,
        ),
        "ome_zarr": (
            lambda p: skyscope_rate(frames, p),
            lambda p: pymmcore_rate(frames, p, sequencing=False),
            True,
        ),
        "burst_ome_zarr": (
            lambda p: skyscope_rate(frames, p, camera_writes=True),
            lambda p: pymmcore_rate(frames, p, sequencing=True),
            True,
        ),
    }
    figures: dict[str, float] = {"frames": frames, "frame_pixels": SHAPE[0] * SHAPE[1]}
    print(f"{frames} frames of {SHAPE[0]}x{SHAPE[1]} uint16 on UniMMCore + the demo camera,")
    print(f"median of {repeats} runs (frames/s)")
    print(f"{'comparison':<16} {'skyscope':>10} {'pymmcore-plus':>14} {'speedup':>8}")
    for name, (ours, theirs, to_disk) in comparisons.items():
        mine, anchor = median_rates(ours, theirs, repeats, to_disk)
        figures[f"skyscope_fps_{name}"] = round(mine, 1)
        figures[f"pymmcore_fps_{name}"] = round(anchor, 1)
        figures[f"speedup_{name}"] = round(mine / anchor, 3)
        print(f"{name:<16} {mine:>10.1f} {anchor:>14.1f} {mine / anchor:>7.2f}x")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

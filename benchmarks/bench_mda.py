"""MDA throughput: skyscope's ``mda`` against pymmcore-plus's MDA, the same frames each side.

skyscope: ``skyscope.plans.mda`` on the simulated microscope in pattern mode (no physics, no
real-time waits), a time-lapse of N frames of 512x512 uint16 with interval 0.
Anchor: pymmcore-plus's ``core.mda.run`` on ``UniMMCore`` with a pure-Python pattern camera
(``SimpleCameraDevice``) filling each frame with the same copy + frame number.

Fairness: both cameras report a 10 ms exposure and neither waits it out (``realtime=False``;
the anchor's ``snap`` does not sleep); each frame is one copy of a cached pattern stamped with
its number (into a reused buffer here, a new one there, as each side's camera does). Both
sides iterate the same useq sequence, record each frame's position and time, and write the
same bytes: pymmcore-plus's default OME-Zarr sink (ome-writers on tensorstore) stores frames
uncompressed, so skyscope's ``output=`` is given an uncompressed ``OMEZarrImageWriter`` too
(its default, lz4, writes far fewer bytes of this pattern and would flatter it). Timed on each
side: the whole ``run`` (sink or file opened and closed inside), not making the microscope.

Comparisons (frames/s, medians of repeats; each speedup is the median of the ratios of runs
made in pairs, back to back, so that both sides meet the same load of a shared machine):
- ``no_writer``: one frame per event, frames not saved (skyscope: frames inline in the events;
  pymmcore-plus: hardware sequencing off, no output).
- ``ome_zarr``: one frame per event, to OME-Zarr (skyscope: ``mda(writer=OMEZarrFrameWriter)``;
  pymmcore-plus: its ``OMEZarrWriter``).
- ``output_ome_zarr``: one frame per event into the final OME-Zarr layout (skyscope:
  ``mda(output=OMEZarrImageWriter(path, compression=None))``, sharded; pymmcore-plus:
  ``output="x.ome.zarr"``, its default OME-Zarr sink, uncompressed).
- ``burst_ome_zarr``: the camera streams the whole time-lapse as one sequence into OME-Zarr
  (skyscope: the camera's own writer, one event per frame; pymmcore-plus: hardware sequencing).

Besides: ``engine_vs_writer_2048``, 2048x2048 frames written by ``mda(output=...)`` through the
engine as a fraction of the same frames written by ``OMEZarrImageWriter`` alone.

    python benchmarks/bench_mda.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import useq
from pymmcore_plus.experimental.unicore import SimpleCameraDevice, UniMMCore

from skyscope.devices.sim import CameraSettings, Microscope, SensorSpec
from skyscope.engine import Engine
from skyscope.plans import mda
from skyscope.writers import (
    Compression,
    ImageAxes,
    ImageSpec,
    OMEZarrFrameWriter,
    OMEZarrImageWriter,
)

SHAPE = (512, 512)
logging.getLogger("pymmcore-plus").setLevel(logging.CRITICAL)  # no Micro-Manager install: fine


class PatternCamera(SimpleCameraDevice):
    """A camera that copies a fixed pattern and stamps the frame number (like skyscope's)."""

    def __init__(self) -> None:
        super().__init__()
        rows, cols = np.indices(SHAPE)
        self._pattern = ((rows + cols) % 256 * 64).astype(np.uint16)
        self._exposure = 10.0  # ms, as skyscope's 0.01 s
        self._count = 0

    def sensor_shape(self) -> tuple[int, int]:
        return SHAPE

    def dtype(self) -> Any:
        return np.uint16

    def get_exposure(self) -> float:
        return self._exposure

    def set_exposure(self, exposure: float) -> None:
        self._exposure = exposure

    def snap(self, buffer: np.ndarray) -> Mapping[str, Any]:
        np.copyto(buffer, self._pattern)
        buffer.flat[0] = self._count % 65536
        self._count += 1
        return {}


def _sequence(frames: int) -> useq.MDASequence:
    return useq.MDASequence(time_plan={"interval": 0, "loops": frames})


def pymmcore_rate(frames: int, out: Path | None, sequencing: bool) -> float:
    core = UniMMCore()
    core.loadPyDevice("Camera", PatternCamera())
    core.initializeDevice("Camera")
    core.setCameraDevice("Camera")
    core.setAutoShutter(False)
    core.mda.engine.use_hardware_sequencing = sequencing  # type: ignore[union-attr]
    start = time.perf_counter()
    core.mda.run(_sequence(frames), output=str(out) if out else None)
    return frames / (time.perf_counter() - start)


async def _skyscope_run(
    frames: int,
    out: Path | None,
    camera_writes: bool,
    output: bool = False,
    shape: tuple[int, int] = SHAPE,
    compression: Compression | None = None,
) -> float:
    if output:
        assert out is not None
        scope = Microscope(sensor=SensorSpec(shape=shape), camera=CameraSettings(exposure_s=0.01),
                           mode="pattern", realtime=False)  # fmt: skip
        await scope.connect()
        engine = Engine(md={}, handle_sigint=False)
        sink = OMEZarrImageWriter(out, compression=compression)
        start = time.perf_counter()
        await engine(mda(_sequence(frames), scope, output=sink))
        return frames / (time.perf_counter() - start)
    camera_writer = OMEZarrFrameWriter(out) if (out and camera_writes) else None
    plan_writer = OMEZarrFrameWriter(out) if (out and not camera_writes) else None
    scope = Microscope(sensor=SensorSpec(shape=SHAPE), camera=CameraSettings(exposure_s=0.01),
                       mode="pattern", realtime=False, writer=camera_writer)  # fmt: skip
    await scope.connect()
    engine = Engine(md={}, handle_sigint=False)
    start = time.perf_counter()
    await engine(mda(_sequence(frames), scope, writer=plan_writer))
    return frames / (time.perf_counter() - start)


def skyscope_rate(
    frames: int,
    out: Path | None,
    camera_writes: bool = False,
    output: bool = False,
    shape: tuple[int, int] = SHAPE,
    compression: Compression | None = None,
) -> float:
    return asyncio.run(_skyscope_run(frames, out, camera_writes, output, shape, compression))


async def _writer_alone(frames: int, out: Path, shape: tuple[int, int]) -> float:
    """The same frames (a copied pattern, numbered) straight into the image writer."""
    rows, cols = np.indices(shape)
    pattern = ((rows + cols) % 256 * 64).astype(np.uint16)
    writer = OMEZarrImageWriter(out)
    image = ImageSpec("p0", ImageAxes(sizes={"t": frames}))
    start = time.perf_counter()
    await writer.open("cam", [image], shape, np.uint16)
    for t in range(frames):
        frame = pattern.copy()
        frame.flat[0] = t
        await writer.write(frame, 0, (t,))
    await writer.close()
    return frames / (time.perf_counter() - start)


def writer_alone_rate(frames: int, out: Path, shape: tuple[int, int]) -> float:
    return asyncio.run(_writer_alone(frames, out, shape))


def _one_rate(run: Callable[[Path | None], float], to_disk: bool) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        return run(Path(tmp) / "frames.ome.zarr" if to_disk else None)


def paired_rates(
    ours: Callable[[Path | None], float],
    theirs: Callable[[Path | None], float],
    repeats: int,
    to_disk: bool,
) -> tuple[float, float, float]:
    """Median rates of both sides and the median of their ratios, run by turns.

    Running each pair back to back makes both sides meet the same machine load (it is shared
    and its load swings), so the ratio of a pair is fairer than a ratio of separate medians.
    """
    mine, anchor, ratios = [], [], []
    for _ in range(repeats):
        mine.append(_one_rate(ours, to_disk))
        anchor.append(_one_rate(theirs, to_disk))
        ratios.append(mine[-1] / anchor[-1])
    return statistics.median(mine), statistics.median(anchor), statistics.median(ratios)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer frames and repeats")
    args = parser.parse_args()
    frames, repeats = (300, 3) if args.quick else (1000, 5)
    comparisons = {
        "no_writer": (
            lambda p: skyscope_rate(frames, p),
            lambda p: pymmcore_rate(frames, p, sequencing=False),
            False,
        ),
        "ome_zarr": (
            lambda p: skyscope_rate(frames, p),
            lambda p: pymmcore_rate(frames, p, sequencing=False),
            True,
        ),
        "output_ome_zarr": (
            lambda p: skyscope_rate(frames, p, output=True),
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
    print(f"{frames} frames of {SHAPE[0]}x{SHAPE[1]} uint16, median of {repeats} runs (frames/s)")
    print(f"{'comparison':<16} {'skyscope':>10} {'pymmcore-plus':>14} {'speedup':>8}")
    for name, (ours, theirs, to_disk) in comparisons.items():
        mine, anchor, speedup = paired_rates(ours, theirs, repeats, to_disk)
        figures[f"skyscope_fps_{name}"] = round(mine, 1)
        figures[f"pymmcore_fps_{name}"] = round(anchor, 1)
        figures[f"speedup_{name}"] = round(speedup, 3)
        print(f"{name:<16} {mine:>10.1f} {anchor:>14.1f} {speedup:>7.2f}x")
    big, big_frames = (2048, 2048), (40 if args.quick else 100)
    through, alone, share = paired_rates(
        lambda p: skyscope_rate(big_frames, p, output=True, shape=big, compression="lz4"),
        lambda p: writer_alone_rate(big_frames, p, big),  # type: ignore[arg-type]
        repeats,
        True,
    )
    figures["skyscope_fps_output_2048"] = round(through, 1)
    figures["writer_alone_fps_2048"] = round(alone, 1)
    figures["engine_vs_writer_2048"] = round(share, 3)
    print(f"2048x2048 OME-Zarr: engine {through:.1f} frames/s, writer alone {alone:.1f} frames/s "
          f"({share:.0%}, median of paired ratios)")  # fmt: skip
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

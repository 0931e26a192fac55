"""Frame writing throughput: skyscope's writers beside raw writes, raw h5py and pymmcore-plus.

Each case runs in a fresh child process (so peak RSS is the case's own) on frames prepared
in advance (a ring of 8 distinct uint16 frames, so no allocation is timed), at 512x512 and
2048x2048. Cases:

- ``raw_fsync``: the frame bytes appended to one file with ``write``, fsync at the end (disk).
- ``raw_h5py``: h5py, one dataset chunked one frame per chunk, ``dset[i] = frame``, fsync.
- ``raw_h5py_direct``: the same with HDF5's direct chunk write (the fastest h5py can go).
- ``skyscope_hdf5``: ``HDF5FrameWriter`` fed at full speed from an asyncio loop (SWMR on,
  fsync at close), ``skyscope_hdf5_3n`` the same with 3x the frames (peak RSS stays flat).
- ``skyscope_zarr``: ``OMEZarrFrameWriter`` fed the same way (no fsync, like pymmcore-plus).
- ``pymmcore_plus_zarr``: pymmcore-plus's MDA on ``UniMMCore`` with a pure-Python camera,
  writing OME-Zarr through its own writer (one frame per time point).
- ``engine_hdf5`` / ``engine_zarr``: the whole skyscope path: the simulated microscope's camera
  in pattern mode (``realtime=False``) streams a sequence (prepare, kickoff, complete, collect)
  run by skyscope's ``Engine``, into ``HDF5FrameWriter`` / ``OMEZarrFrameWriter``; the plan's
  documents go to a subscriber. The camera renders its own frames (a copy of a cached pattern
  per frame), so these cases do not use the prepared ring.
- ``engine_discard``: the same with a queued writer whose file drops every frame: the camera,
  engine and hand-off alone, to compare with the writers alone (``skyscope_*``).

Add a case by writing ``def case_<name>(frames, count, workdir) -> Callable[[], None]``: it
sets up (imports, devices) untimed and returns the function that is timed; list it in ``CASES``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

Frames = list[np.ndarray]
Timed = Callable[[], None]


def case_raw_fsync(frames: Frames, count: int, workdir: Path) -> Timed:
    def run() -> None:
        with open(workdir / "raw.bin", "wb", buffering=0) as file:
            for i in range(count):
                file.write(frames[i % len(frames)].data)
            os.fsync(file.fileno())

    return run


def _h5py_dataset(workdir: Path, frame: np.ndarray, count: int):  # type: ignore[no-untyped-def]
    import h5py

    file = h5py.File(workdir / "raw.h5", "w", libver="latest")
    data = file.create_dataset(
        "data", shape=(count, *frame.shape), chunks=(1, *frame.shape), dtype=frame.dtype
    )
    return file, data


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    os.fsync(fd)
    os.close(fd)


def case_raw_h5py(frames: Frames, count: int, workdir: Path) -> Timed:
    def run() -> None:
        file, data = _h5py_dataset(workdir, frames[0], count)
        for i in range(count):
            data[i] = frames[i % len(frames)]
        file.close()
        _fsync_path(workdir / "raw.h5")

    return run


def case_raw_h5py_direct(frames: Frames, count: int, workdir: Path) -> Timed:
    zeros = (0,) * frames[0].ndim

    def run() -> None:
        file, data = _h5py_dataset(workdir, frames[0], count)
        for i in range(count):
            data.id.write_direct_chunk((i, *zeros), frames[i % len(frames)])
        file.close()
        _fsync_path(workdir / "raw.h5")

    return run


async def _feed(writer, frames: Frames, count: int) -> None:  # type: ignore[no-untyped-def]
    await writer.open("cam", frames[0].shape, frames[0].dtype)
    for i in range(count):
        await writer.write(frames[i % len(frames)])
    await writer.close()
    assert writer.get_indices_written() == count


def case_skyscope_hdf5(frames: Frames, count: int, workdir: Path) -> Timed:
    from skyscope.writers import HDF5FrameWriter

    return lambda: asyncio.run(_feed(HDF5FrameWriter(workdir / "cam.h5"), frames, count))


def case_skyscope_zarr(frames: Frames, count: int, workdir: Path) -> Timed:
    from skyscope.writers import OMEZarrFrameWriter

    return lambda: asyncio.run(_feed(OMEZarrFrameWriter(workdir / "z.ome.zarr"), frames, count))


def case_pymmcore_plus_zarr(frames: Frames, count: int, workdir: Path) -> Timed:
    import useq
    from pymmcore_plus.experimental.unicore import SimpleCameraDevice, UniMMCore

    class RingCamera(SimpleCameraDevice):  # type: ignore[misc]
        """Copies the next prepared frame into pymmcore-plus's buffer."""

        def __init__(self) -> None:
            super().__init__()
            self._next = 0

        def sensor_shape(self) -> tuple[int, int]:
            return frames[0].shape  # type: ignore[return-value]

        def dtype(self) -> type:
            return np.uint16

        def get_exposure(self) -> float:
            return 0.0

        def set_exposure(self, exposure: float) -> None:
            pass

        def snap(self, buffer: np.ndarray) -> dict[str, str]:
            buffer[:] = frames[self._next % len(frames)]
            self._next += 1
            return {}

    core = UniMMCore()
    core.loadPyDevice("Cam", RingCamera())
    core.initializeDevice("Cam")
    core.setCameraDevice("Cam")
    core.setAutoShutter(False)
    sequence = useq.MDASequence(time_plan={"interval": 0, "loops": count})
    import ome_writers  # noqa: F401  (imported by the run; load it untimed)

    return lambda: core.mda.run(sequence, output=str(workdir / "mm.ome.zarr"))


def _engine_case(writer, frames: Frames, count: int) -> Timed:  # type: ignore[no-untyped-def]
    """Set up (untimed) the microscope and engine on a loop; return the timed sequence run."""
    from skyscope.devices.sim import Microscope, SensorSpec
    from skyscope.engine import Engine
    from skyscope.plans import (
        close_run,
        collect,
        complete,
        declare_stream,
        kickoff,
        open_run,
        prepare,
        stage,
        unstage,
    )

    loop = asyncio.new_event_loop()
    sensor = SensorSpec(shape=frames[0].shape)
    scope = Microscope(mode="pattern", sensor=sensor, writer=writer, realtime=False)
    loop.run_until_complete(scope.connect())
    engine = Engine(md={}, handle_sigint=False)
    documents: list[str] = []
    engine.subscribe(lambda name, doc: documents.append(name))
    camera = scope.camera

    async def sequence():  # type: ignore[no-untyped-def]
        yield stage(camera)
        yield open_run({"plan_name": "bench_frames"})
        yield declare_stream(camera, name="primary", collect=True)
        yield prepare(camera, count, wait=True)
        yield kickoff(camera, wait=True)
        yield complete(camera, wait=True)
        yield collect(camera, name="primary")
        yield close_run()
        yield unstage(camera)

    def run() -> None:
        result = loop.run_until_complete(engine(sequence()))
        assert result.exit_status == "success", result.reason
        assert writer.get_indices_written() == count
        assert documents[-1] == "stop"

    return run


def case_engine_hdf5(frames: Frames, count: int, workdir: Path) -> Timed:
    from skyscope.writers import HDF5FrameWriter

    return _engine_case(HDF5FrameWriter(workdir / "cam.h5"), frames, count)


def case_engine_discard(frames: Frames, count: int, workdir: Path) -> Timed:
    from skyscope.writers import FrameSink, QueuedFrameWriter

    class DiscardSink(FrameSink):
        """A "file" that drops frames: everything but the disk."""

        kind = "discarding sink"
        mimetype = "application/octet-stream"

        def __init__(self, path: Path) -> None:
            self.path = path

        @property
        def parameters(self) -> dict[str, str]:
            return {}

        def write(self, index: int, frame: np.ndarray) -> None:
            pass

        def sync(self, count: int) -> None:
            pass

        def close(self, count: int) -> None:
            pass

    class DiscardWriter(QueuedFrameWriter):
        format_name = "discard"

        def _target(self, data_key: str) -> Path:
            return workdir / data_key

        def _create_sink(self, path, data_key, frame_shape, dtype):  # type: ignore[no-untyped-def]
            return DiscardSink(path)

    return _engine_case(DiscardWriter(), frames, count)


def case_engine_zarr(frames: Frames, count: int, workdir: Path) -> Timed:
    from skyscope.writers import OMEZarrFrameWriter

    return _engine_case(OMEZarrFrameWriter(workdir / "cam.ome.zarr"), frames, count)


CASES: dict[str, Callable[[Frames, int, Path], Timed]] = {
    "raw_fsync": case_raw_fsync,
    "raw_h5py": case_raw_h5py,
    "raw_h5py_direct": case_raw_h5py_direct,
    "skyscope_hdf5": case_skyscope_hdf5,
    "skyscope_hdf5_3n": case_skyscope_hdf5,
    "skyscope_zarr": case_skyscope_zarr,
    "pymmcore_plus_zarr": case_pymmcore_plus_zarr,
    "engine_hdf5": case_engine_hdf5,
    "engine_zarr": case_engine_zarr,
    "engine_discard": case_engine_discard,
}


def run_child(case: str, side: int, count: int) -> None:
    """In the child: prepare frames, time one case, print seconds and peak RSS as JSON."""
    rng = np.random.default_rng(side)
    frames = [rng.integers(0, 4096, (side, side), dtype=np.uint16) for _ in range(8)]
    workdir = Path(tempfile.mkdtemp(prefix="bench-frames-", dir=os.environ.get("BENCH_DIR")))
    try:
        timed = CASES[case](frames, count, workdir)
        start = time.perf_counter()
        timed()
        seconds = time.perf_counter() - start
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_rss_mib": peak_mib}))


def measure(case: str, side: int, count: int, repeats: int) -> dict[str, float]:
    """Run ``case`` ``repeats`` times in child processes; return median rates and peak RSS."""
    runs = []
    for _ in range(repeats):
        child = subprocess.run(
            [sys.executable, __file__, "--child", case, str(side), str(count)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        runs.append(json.loads(child.stdout.splitlines()[-1]))
    seconds = statistics.median(run["seconds"] for run in runs)
    frame_mb = side * side * 2 / 1e6
    return {
        "frames_per_s": count / seconds,
        "mb_per_s": count * frame_mb / seconds,
        "peak_rss_mib": max(run["peak_rss_mib"] for run in runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few frames, one repeat (< 1 min)")
    parser.add_argument(
        "--child", nargs=3, metavar=("CASE", "SIDE", "COUNT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        run_child(args.child[0], int(args.child[1]), int(args.child[2]))
        return
    counts = {512: 300, 2048: 24} if args.quick else {512: 2000, 2048: 120}
    repeats = 1 if args.quick else 3
    figures: dict[str, float] = {}
    for side, count in counts.items():
        print(f"\n{side}x{side} uint16, {count} frames, median of {repeats}")
        print(f"{'case':<22}{'frames/s':>10}{'MB/s':>9}{'peak RSS MiB':>14}")
        results = {}
        for case in CASES:
            n = count * 3 if case.endswith("_3n") else count
            results[case] = result = measure(case, side, n, repeats)
            print(
                f"{case:<22}{result['frames_per_s']:>10.0f}{result['mb_per_s']:>9.0f}"
                f"{result['peak_rss_mib']:>14.0f}"
            )
        figures.update(_ratios(results, side))
        for name, value in figures.items():
            if name.endswith(f"_{side}"):
                print(f"  {name} = {value:.2f}")
    print(json.dumps({k: round(v, 3) for k, v in figures.items()}))


def _ratios(results: dict[str, dict[str, float]], side: int) -> dict[str, float]:
    def rate(case: str) -> float:
        return results[case]["frames_per_s"]

    return {
        f"speedup_hdf5_vs_raw_h5py_{side}": rate("skyscope_hdf5") / rate("raw_h5py"),
        f"speedup_hdf5_vs_raw_h5py_direct_{side}": rate("skyscope_hdf5") / rate("raw_h5py_direct"),
        f"speedup_hdf5_vs_raw_fsync_{side}": rate("skyscope_hdf5") / rate("raw_fsync"),
        f"speedup_vs_pymmcore_plus_zarr_{side}": rate("skyscope_zarr") / rate("pymmcore_plus_zarr"),
        f"speedup_hdf5_vs_pymmcore_plus_zarr_{side}": (
            rate("skyscope_hdf5") / rate("pymmcore_plus_zarr")
        ),
        f"speedup_engine_hdf5_vs_raw_h5py_{side}": rate("engine_hdf5") / rate("raw_h5py"),
        f"speedup_engine_hdf5_vs_pymmcore_plus_zarr_{side}": (
            rate("engine_hdf5") / rate("pymmcore_plus_zarr")
        ),
        f"speedup_engine_zarr_vs_pymmcore_plus_zarr_{side}": (
            rate("engine_zarr") / rate("pymmcore_plus_zarr")
        ),
        f"speedup_engine_hdf5_vs_writer_alone_{side}": rate("engine_hdf5") / rate("skyscope_hdf5"),
        f"speedup_engine_zarr_vs_writer_alone_{side}": rate("engine_zarr") / rate("skyscope_zarr"),
        f"speedup_engine_discard_vs_hdf5_writer_alone_{side}": (
            rate("engine_discard") / rate("skyscope_hdf5")
        ),
        f"rss_growth_hdf5_3n_{side}": (
            results["skyscope_hdf5_3n"]["peak_rss_mib"] / results["skyscope_hdf5"]["peak_rss_mib"]
        ),
    }


if __name__ == "__main__":
    main()

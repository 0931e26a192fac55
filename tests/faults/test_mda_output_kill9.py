"""kill -9 of a process acquiring an MDA to each output format, or a full disk: acknowledged
frames survive.

The child runs ``mda(..., output=...)`` on the simulated microscope and prints, for each stream
datum (a frame acknowledged: written and made visible), where it is and a digest of the frame
the camera produced. The parent SIGKILLs it mid-run and reads each of those frames back with
the format's own library: every one is there, byte-identical.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import urlparse

import h5py
import numpy as np
import pytest
import tifffile
import zarr

PLANS = Path(__file__).parents[1] / "plans"
KILL_AFTER = 25

CHILD = textwrap.dedent("""
    import asyncio, hashlib, json, os, sys
    sys.path.insert(0, sys.argv[1])
    import useq
    from _sim_scope import make_scope
    from skyscope.engine import Engine
    from skyscope.plans import mda
    from skyscope.writers import HDF5ImageWriter, OMETiffImageWriter, OMEZarrImageWriter

    KINDS = {"zarr": OMEZarrImageWriter, "tiff": OMETiffImageWriter, "hdf5": HDF5ImageWriter}

    def recording(kind):
        class Recording(kind):
            digests = []

            async def write(self, frame, image, coords):
                self.digests.append(hashlib.sha256(frame.tobytes()).hexdigest())
                return await super().write(frame, image, coords)
        return Recording

    async def main():
        kind, path, limit = sys.argv[2:5]
        if int(limit):  # a full disk, as the file-size limit makes it look to this process
            import resource, signal
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (int(limit), int(limit)))
        # zarr: a shard then outgrows the limit, and is synced often enough (every 10 ms at
        # least) that frames are acknowledged before it does, however fast the camera runs
        raw = {"compression": None, "flush_every": 0.01} if kind == "zarr" else {}
        writer = recording(KINDS[kind])(path, **raw)
        resources, datums = {}, 0

        def witness(name, doc):
            nonlocal datums
            if name == "stream_resource":
                resources[doc["uid"]] = doc
            if name == "stream_datum":
                resource = resources[doc["stream_resource"]]
                line = {
                    "uri": resource["uri"],
                    "parameters": resource["parameters"],
                    "index": doc["indices"]["start"],
                    "sha": writer.digests[datums],
                }
                datums += 1
                os.write(1, (json.dumps(line) + "\\n").encode())

        scope = await make_scope(shape=(64, 64))
        sequence = useq.MDASequence(
            time_plan={"interval": 0, "loops": 10_000},
            channels=["DAPI", "FITC"],
            stage_positions=[(100.0, 100.0, 100.0), (200.0, 200.0, 100.0)],
            z_plan={"range": 20, "step": 1},
        )
        engine = Engine(md={}, handle_sigint=False)
        engine.subscribe(witness)
        try:
            await engine(mda(sequence, scope, output=writer))
        except Exception as exc:
            os.write(2, f"run failed: {type(exc).__name__}: {exc}".encode())
            sys.exit(3)

    asyncio.run(main())
""")

SUFFIXES = {"zarr": "cells.ome.zarr", "tiff": "cells.ome.tif", "hdf5": "cells.h5"}
FILE_LIMIT = {"zarr": 500_000, "tiff": 1_000_000, "hdf5": 32_000_000}
"""Bytes a file may hold: a zarr shard holds one position's frames (8 KB each), ~60 of them
fit; HDF5 starts with its chunk index."""


def _acknowledged_then_kill(kind: str, path: Path) -> list[dict[str, object]]:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(PLANS), kind, str(path), "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert child.stdout is not None
    lines = []
    try:
        for raw in child.stdout:
            lines.append(json.loads(raw))
            if len(lines) == KILL_AFTER:
                os.kill(child.pid, signal.SIGKILL)
                break
    finally:
        child.kill()
        _, err = child.communicate(timeout=30)
    assert len(lines) == KILL_AFTER, err.decode()
    assert child.returncode == -signal.SIGKILL
    return lines


def _read(kind: str, line: dict, page: int) -> np.ndarray:
    file = Path(urlparse(str(line["uri"])).path)
    if kind == "zarr":
        array = zarr.open_array(str(file), path=line["parameters"]["path"], mode="r")
        lead = np.unravel_index(line["index"], array.shape[:-2])
        return np.asarray(array[tuple(int(n) for n in lead)])
    if kind == "hdf5":
        with h5py.File(file, "r", swmr=True) as h5:
            dataset = h5[line["parameters"]["dataset"]]
            lead = np.unravel_index(line["index"], dataset.shape[:-2])
            return np.asarray(dataset[tuple(int(n) for n in lead)])
    with tifffile.TiffFile(file) as tif:  # no OME-XML yet: the pages, in arrival order
        return tif.pages[page].asarray()


@pytest.mark.parametrize("kind", list(SUFFIXES))
def test_every_acknowledged_frame_survives_kill_9(tmp_path: Path, kind: str) -> None:
    lines = _acknowledged_then_kill(kind, tmp_path / SUFFIXES[kind])
    pages: dict[str, int] = {}
    for line in lines:
        page = pages.get(str(line["uri"]), 0)
        pages[str(line["uri"])] = page + 1
        frame = _read(kind, line, page)
        assert hashlib.sha256(frame.tobytes()).hexdigest() == line["sha"], line


@pytest.mark.parametrize("kind", list(SUFFIXES))
def test_a_full_disk_fails_the_run_and_keeps_every_acknowledged_frame(
    tmp_path: Path, kind: str
) -> None:
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD,
            str(PLANS),
            kind,
            str(tmp_path / SUFFIXES[kind]),
            str(FILE_LIMIT[kind]),
        ],
        capture_output=True,
        timeout=50,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    message = child.stderr.decode()
    assert child.returncode == 3, message
    assert "FrameWriterError" in message
    lines = [json.loads(raw) for raw in child.stdout.splitlines()]
    assert len(lines) > 5, f"{len(lines)} frames acknowledged before the disk filled"
    pages: dict[str, int] = {}
    for line in lines:
        page = pages.get(str(line["uri"]), 0)
        pages[str(line["uri"])] = page + 1
        frame = _read(kind, line, page)
        assert hashlib.sha256(frame.tobytes()).hexdigest() == line["sha"], line

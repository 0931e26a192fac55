"""HDF5FrameWriter while acquiring: another process reads live (SWMR); a slow disk bounds memory."""

from __future__ import annotations

import asyncio
import sys
import weakref
from pathlib import Path

import h5py
import numpy as np
from _writer_helpers import TroubledHDF5Writer, make_frame

from skyscope.writers import HDF5FrameWriter

READER = """
import sys, time
import h5py
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/.."]  # the helpers, and tests/ for theirs
from _writer_helpers import make_frame
path, targets = sys.argv[2], [int(n) for n in sys.argv[3:]]
with h5py.File(path, "r", swmr=True) as f:
    data = f["cam"]
    for target in targets:
        while data.shape[0] < target:
            time.sleep(0.005)
            data.refresh()
        for i in range(target):
            if data[i].tobytes() != make_frame(i).tobytes():
                sys.exit(f"frame {i} differs")
        print(f"read {target}", flush=True)
"""


async def _expect_line(process: asyncio.subprocess.Process, expected: str) -> None:
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), timeout=20)
    assert line.decode().strip() == expected


async def test_another_process_reads_frames_while_writing(h5_path: Path) -> None:
    writer = HDF5FrameWriter(h5_path)
    await writer.open("cam", (32, 48), np.uint16)
    for i in range(20):
        await writer.write(make_frame(i))
    assert await writer.flush() == 20
    helpers = str(Path(__file__).parent)
    reader = await asyncio.create_subprocess_exec(
        sys.executable, "-c", READER, helpers, str(h5_path), "20", "45",
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        await _expect_line(reader, "read 20")
        for i in range(20, 45):
            await writer.write(make_frame(i))
        await writer.flush()
        await _expect_line(reader, "read 45")
        assert await asyncio.wait_for(reader.wait(), timeout=20) == 0
    finally:
        if reader.returncode is None:
            reader.kill()
            await reader.wait()
        await writer.close()


async def test_slow_disk_makes_the_producer_wait_and_loses_nothing(h5_path: Path) -> None:
    depth, count = 4, 40
    writer = TroubledHDF5Writer(h5_path, delay=0.004, queue_depth=depth)
    await writer.open("cam", (32, 48), np.uint16)
    alive = 0
    most_alive = most_in_flight = 0

    def released() -> None:
        nonlocal alive
        alive -= 1

    for i in range(count):
        frame = make_frame(i)
        alive += 1
        weakref.finalize(frame, released)
        await writer.write(frame)
        del frame
        most_alive = max(most_alive, alive)
        most_in_flight = max(most_in_flight, writer.frames_in_flight)
    await writer.close()

    assert most_in_flight == depth  # the queue filled up: the producer had to wait
    assert most_alive <= depth + 1  # frames held: the queue's plus the one being handed over
    with h5py.File(h5_path, "r") as f:
        assert f["cam"].shape[0] == count
        assert all(f["cam"][i].tobytes() == make_frame(i).tobytes() for i in range(count))

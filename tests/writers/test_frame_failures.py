"""Frame writers failing: the error names the file and cause; acknowledged frames stay readable.

Disk full is a real size limit: a child process runs with ``RLIMIT_FSIZE`` (SIGXFSZ ignored, so
writes past the limit fail with EFBIG, "File too large"), which works for any user and needs no
mount. Permission denied is real too: a read-only directory; as root (whom modes do not stop)
the child process first drops to the ``nobody`` user.
"""

from __future__ import annotations

import asyncio
import ctypes
import json
import subprocess
import sys
import threading
from pathlib import Path

import h5py
import numpy as np
import pytest
from _writer_helpers import TroubledHDF5Writer, make_frame

from _privileges import unprivileged
from skyscope.writers import FrameWriterError, HDF5FrameWriter

HELPERS = str(Path(__file__).parent)

DISK_FULL = """
import asyncio, json, resource, signal, sys
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/.."]  # the helpers, and tests/ for theirs
import numpy as np
from _writer_helpers import make_frame
from skyscope.writers import FrameWriterError, HDF5FrameWriter

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
shape = (128, 256)

async def main():
    writer = HDF5FrameWriter(sys.argv[2])
    await writer.open("cam", shape, np.uint16)
    for i in range(6):
        await writer.write(make_frame(i, shape))
    await writer.flush()
    errors = []
    try:
        for i in range(6, 1000):
            await writer.write(make_frame(i, shape))
        await writer.flush()
    except FrameWriterError as exc:
        errors.append(str(exc))
    try:
        await writer.close()
    except FrameWriterError as exc:
        errors.append("close raised again: " + str(exc))
    print(json.dumps({"errors": errors, "acknowledged": writer.get_indices_written()}))

asyncio.run(main())
"""

PERMISSION = """
import asyncio, os, sys
import numpy as np
from skyscope.writers import FrameWriterError, HDF5FrameWriter

async def main():
    try:
        await HDF5FrameWriter(sys.argv[1]).open("cam", (4, 4), np.uint8)
    except FrameWriterError as exc:
        print(exc)
        return
    print("no error")

asyncio.run(main())
"""


async def _write_frames(writer: HDF5FrameWriter, indices: range, pause: float = 0) -> None:
    for i in indices:
        await writer.write(make_frame(i))
        await asyncio.sleep(pause)
    await writer.flush()


def _assert_frames(path: Path, count: int, shape: tuple[int, ...] = (32, 48)) -> None:
    with h5py.File(path, "r") as f:
        data = f["cam"]
        assert data.shape[0] >= count
        for i in range(count):
            assert data[i].tobytes() == make_frame(i, shape).tobytes(), f"frame {i} differs"


def test_disk_full_is_an_error_and_acknowledged_frames_survive(tmp_path: Path) -> None:
    path = tmp_path / "full.h5"
    child = subprocess.run(
        [sys.executable, "-c", DISK_FULL, HELPERS, str(path)],
        capture_output=True, text=True, timeout=50, check=True,
    )  # fmt: skip
    report = json.loads(child.stdout.splitlines()[-1])
    (error,) = report["errors"]
    assert str(path) in error
    assert "File too large" in error or "errno = 27" in error
    assert report["acknowledged"] >= 6
    _assert_frames(path, report["acknowledged"], (128, 256))


def test_permission_denied_is_an_error_naming_the_file(read_only_dir: Path) -> None:
    child = subprocess.run(
        unprivileged([sys.executable, "-c", PERMISSION, str(read_only_dir / "cam.h5")]),
        capture_output=True, text=True, timeout=50, check=True,
    )  # fmt: skip
    message = child.stdout.strip()
    assert str(read_only_dir / "cam.h5") in message
    assert "Permission denied" in message or "errno = 13" in message
    assert not (read_only_dir / "cam.h5").exists()


async def test_failing_writer_thread_reports_once_and_keeps_frames(h5_path: Path) -> None:
    writer = TroubledHDF5Writer(h5_path, fail_at=5, queue_depth=2)
    await writer.open("cam", (32, 48), np.uint16)
    with pytest.raises(FrameWriterError) as info:
        await _write_frames(writer, range(50))
    message = str(info.value)
    assert str(h5_path) in message
    assert "writing frame 5 failed: MemoryError: the writer thread ran out of memory" in message
    assert isinstance(info.value.__cause__, MemoryError)
    with pytest.raises(FrameWriterError):
        await writer.flush()
    await writer.close()  # already reported: closing does not raise it again
    assert writer.get_indices_written() == 5
    with h5py.File(h5_path, "r") as f:
        assert f["cam"].shape[0] == 5
    _assert_frames(h5_path, 5)


async def test_error_on_the_last_frame_surfaces_from_close(h5_path: Path) -> None:
    writer = TroubledHDF5Writer(h5_path, fail_at=3)
    await writer.open("cam", (32, 48), np.uint16)
    for i in range(4):
        await writer.write(make_frame(i))
    with pytest.raises(FrameWriterError, match="writing frame 3 failed"):
        await writer.close()
    _assert_frames(h5_path, 3)


async def test_writer_thread_killed_from_outside(h5_path: Path) -> None:
    writer = HDF5FrameWriter(h5_path, queue_depth=2)
    await writer.open("cam", (32, 48), np.uint16)
    for i in range(5):
        await writer.write(make_frame(i))
    assert await writer.flush() == 5
    (thread,) = [t for t in threading.enumerate() if str(h5_path) in t.name]
    assert thread.ident is not None
    killed = ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread.ident), ctypes.py_object(SystemExit)
    )
    assert killed == 1
    with pytest.raises(FrameWriterError, match="SystemExit") as info:
        await _write_frames(writer, range(5, 100), pause=0.001)
    assert str(h5_path) in str(info.value)
    await writer.close()
    assert not thread.is_alive()
    acknowledged = writer.get_indices_written()
    assert acknowledged >= 5
    _assert_frames(h5_path, acknowledged)


async def test_creating_a_file_under_a_regular_file_fails_clearly(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    with pytest.raises(FrameWriterError, match="not-a-dir") as info:
        await HDF5FrameWriter(blocker / "cam.h5").open("cam", (4, 4), np.uint8)
    assert isinstance(info.value.__cause__, OSError)

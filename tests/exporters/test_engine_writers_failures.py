"""A frame writer failing during a run under the engine: the run ends ``fail``, saying why.

Whatever breaks — the writer thread dying, the disk filling up, a directory it may not write
to — the stop document is emitted with ``exit_status == "fail"`` and a reason naming the file,
the file written so far opens with h5py, and every frame the writer acknowledged is there,
byte-identical to what the camera produced.

Disk full is a real size limit: the run happens in a child process with ``RLIMIT_FSIZE`` (and
SIGXFSZ ignored, so writes past it fail with EFBIG, "File too large"). Permission denied is a
real read-only directory; as root, the child process drops to the ``nobody`` user first.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

import h5py
import numpy as np
from _export_helpers import (
    IMAGE,
    DyingWriter,
    Recorder,
    RecordingHDF5Writer,
    assert_same_frames,
    microscope,
    referenced_frames,
    run,
)

from _privileges import unprivileged
from skyscope.plans import (
    collect,
    complete,
    count,
    declare_stream,
    finalize_wrapper,
    kickoff,
    prepare,
    run_wrapper,
    stage_wrapper,
    trigger_and_read,
    unstage,
)

HELPERS = str(Path(__file__).parent)


def _assert_failed_naming(docs: Recorder, result: Any, path: Path, cause: str) -> None:
    """The run ended ``fail``; result (or report) and stop document name the file and cause."""
    outcome = result if isinstance(result, dict) else vars(result)
    (stop,) = docs.of("stop")
    assert docs.docs[-1] == ("stop", stop)
    for ending in (outcome, stop):
        assert ending["exit_status"] == "fail"
        assert str(path) in ending["reason"]
        assert cause in ending["reason"]


async def test_writer_thread_dying_during_count_fails_the_run(tmp_path: Path) -> None:
    writer = DyingWriter(tmp_path, fail_at=3)
    scope = await microscope(writer)
    result, docs = await run(count([scope.camera], 10))
    assert writer.path is not None
    _assert_failed_naming(docs, result, writer.path, "MemoryError")
    assert "writing frame 3 failed" in result.reason
    assert len(docs.of("event")) == 3
    assert writer.get_indices_written() == 3
    with h5py.File(writer.path, "r") as file:
        assert file[IMAGE].shape[0] == 3
    assert_same_frames(referenced_frames(docs), writer.frames[:3])


async def _guarded_sequence(camera: Any, frames: int) -> AsyncGenerator[Any, Any]:
    """A flyer run that collects what was written even when the sequence fails."""

    async def body() -> AsyncGenerator[Any, Any]:
        yield declare_stream(camera, name="primary", collect=True)
        yield prepare(camera, frames, wait=True)
        yield kickoff(camera, wait=True)
        yield complete(camera, wait=True)

    yield finalize_wrapper(
        run_wrapper(finalize_wrapper(body(), collect(camera, name="primary"))), unstage(camera)
    )


async def test_writer_thread_dying_during_a_sequence_keeps_what_it_acknowledged(
    tmp_path: Path,
) -> None:
    writer = DyingWriter(tmp_path, fail_at=20, flush_every=0.001, queue_depth=4)
    scope = await microscope(writer, mode="pattern")
    result, docs = await run(_guarded_sequence(scope.camera, 100))
    assert writer.path is not None
    _assert_failed_naming(docs, result, writer.path, "MemoryError")
    acknowledged = writer.get_indices_written()
    assert acknowledged == 20
    (datum,) = docs.of("stream_datum")
    assert datum["indices"] == {"start": 0, "stop": acknowledged}
    kept = referenced_frames(docs)
    assert [int(f.flat[0]) for f in kept] == list(range(acknowledged))
    assert_same_frames(kept, writer.frames[:acknowledged])


async def test_a_file_that_cannot_be_created_fails_the_run_naming_it(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    writer = RecordingHDF5Writer(blocker / "cam.h5")
    scope = await microscope(writer)
    camera = scope.camera
    result, docs = await run(run_wrapper(stage_wrapper(trigger_and_read([camera]), [camera])))
    _assert_failed_naming(docs, result, blocker / "cam.h5", "FrameWriterError")
    assert docs.of("event") == []


DISK_FULL = """
import asyncio, json, resource, signal, sys
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/.."]  # the helpers, and tests/ for theirs
from _export_helpers import RecordingHDF5Writer, microscope, run
from skyscope.devices.sim import SensorSpec
from skyscope.documents import to_json
from skyscope.plans import count

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))

async def main():
    writer = RecordingHDF5Writer(sys.argv[2])
    scope = await microscope(writer, sensor=SensorSpec(shape=(128, 256)))
    result, docs = await run(count([scope.camera], 100))
    for i, frame in enumerate(writer.frames):
        frame.tofile(f"{sys.argv[3]}/{i}.raw")
    print(json.dumps({
        "exit_status": result.exit_status,
        "reason": result.reason,
        "acknowledged": writer.get_indices_written(),
        "written": len(writer.frames),
        "docs": [[name, json.loads(to_json(doc))] for name, doc in docs.docs],
    }))

asyncio.run(main())
"""


def _run_child(script: str, *args: str, drop_privileges: bool = False) -> dict[str, Any]:
    command = [sys.executable, "-c", script, HELPERS, *args]
    child = subprocess.run(
        unprivileged(command) if drop_privileges else command,
        capture_output=True, text=True, timeout=50,
    )  # fmt: skip
    assert child.returncode == 0, child.stderr
    return json.loads(child.stdout.splitlines()[-1])


def test_disk_full_during_count_fails_the_run_and_keeps_acknowledged_frames(
    tmp_path: Path,
) -> None:
    frames_dir = tmp_path / "camera-frames"
    frames_dir.mkdir()
    path = tmp_path / "full.h5"
    report = _run_child(DISK_FULL, str(path), str(frames_dir))
    docs = Recorder()
    for name, doc in report["docs"]:
        docs(name, doc)  # still valid event-model documents after the round trip
    assert report["exit_status"] == "fail"
    assert str(path) in report["reason"]
    assert "File too large" in report["reason"] or "errno = 27" in report["reason"]
    _assert_failed_naming(docs, report, path, "FrameWriterError")
    acknowledged = report["acknowledged"]
    assert acknowledged >= 5
    assert report["written"] == acknowledged + 1  # the frame that did not fit
    assert len(docs.of("event")) == acknowledged
    produced = [np.fromfile(frames_dir / f"{i}.raw", np.uint16).reshape(128, 256)
                for i in range(acknowledged)]  # fmt: skip
    assert_same_frames(referenced_frames(docs), produced)
    with h5py.File(path, "r") as file:
        assert file[IMAGE].shape == (acknowledged, 128, 256)


PERMISSION = """
import asyncio, json, sys
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/.."]  # the helpers, and tests/ for theirs
from _export_helpers import RecordingHDF5Writer, microscope, run
from skyscope.documents import to_json
from skyscope.plans import count, run_wrapper, stage_wrapper, trigger_and_read

async def main():
    scope = await microscope(RecordingHDF5Writer(sys.argv[2]))
    camera = scope.camera

    result, docs = await run(run_wrapper(stage_wrapper(trigger_and_read([camera]), [camera])))
    print(json.dumps({
        "exit_status": result.exit_status,
        "reason": result.reason,
        "docs": [[name, json.loads(to_json(doc))] for name, doc in docs.docs],
    }))

asyncio.run(main())
"""


def test_permission_denied_fails_the_run_naming_the_file(read_only_dir: Path) -> None:
    path = read_only_dir / "cam.h5"
    report = _run_child(PERMISSION, str(path), drop_privileges=True)
    docs = Recorder()
    for name, doc in report["docs"]:
        docs(name, doc)
    _assert_failed_naming(docs, report, path, "FrameWriterError")
    assert "Permission denied" in report["reason"] or "errno = 13" in report["reason"]
    assert not path.exists()

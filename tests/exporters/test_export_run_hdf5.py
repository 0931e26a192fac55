"""The per-run HDF5 file: every stream as columns, metadata as JSON, frames linked in.

Read back with h5py: the virtual datasets give the very frames the camera handed its writer,
from the writer's own files, also after the folder is moved elsewhere as a whole.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest
from _export_helpers import (
    FRAME_SHAPE,
    IMAGE,
    DyingWriter,
    RecordingHDF5Writer,
    assert_same_frames,
    microscope,
    plain,
    run,
    sequence,
)

from skyscope.documents import RunComposer
from skyscope.exporters import RunHDF5Exporter
from skyscope.plans import (
    baseline_wrapper,
    count,
    scan,
)
from skyscope.writers import OMEZarrFrameWriter


async def test_a_scan_with_frames_opens_as_one_file(tmp_path: Path) -> None:
    writer = RecordingHDF5Writer(tmp_path / "frames")
    scope = await microscope(writer)
    exporter = RunHDF5Exporter(tmp_path / "runs", block_rows=2)
    plan = baseline_wrapper(
        scan([scope.camera], scope.focus, 2490.0, 2510.0, num=5), [scope.light, scope.objective]
    )
    result, docs = await run(plan, exporter, sample="beads")
    (uid,) = result.run_start_uids
    (path,) = exporter.files[uid]
    descriptors = {d["name"]: d for d in docs.of("descriptor")}
    with h5py.File(path, "r") as file:
        assert file.attrs["uid"] == uid
        assert file.attrs["exit_status"] == "success"
        assert plain([("start", json.loads(file.attrs["start"]))]) == plain(docs.of_named("start"))
        assert json.loads(file.attrs["stop"]) == plain(docs.of_named("stop"))[0][1]
        assert set(file) == {"primary", "baseline"}
        for stream, descriptor in descriptors.items():
            group = file[stream]
            assert json.loads(group.attrs["skipped"]) == {}
            assert json.loads(group.attrs["descriptors"]) == [plain([("d", descriptor)])[0][1]]
            events = [e for e in docs.of("event") if e["descriptor"] == descriptor["uid"]]
            assert list(group["seq_num"]) == [e["seq_num"] for e in events]
            assert list(group["time"]) == [e["time"] for e in events]
            for key in events[0]["data"]:
                column = group["data"][key]
                values = column.asstr() if h5py.check_string_dtype(column.dtype) else column
                assert list(values[()]) == [e["data"][key] for e in events]
                assert list(group["timestamps"][key]) == [e["timestamps"][key] for e in events]
        frames = file["primary/data"][IMAGE]
        assert frames.is_virtual
        assert frames.shape == (5, *FRAME_SHAPE)
        assert_same_frames(list(frames[()]), writer.frames)
    moved = tmp_path / "elsewhere"
    shutil.move(tmp_path / "frames", moved / "frames")
    shutil.move(tmp_path / "runs", moved / "runs")
    with h5py.File(moved / "runs" / path.name, "r") as file:
        assert_same_frames(list(file["primary/data"][IMAGE][()]), writer.frames)


async def test_sequences_are_linked_in_the_order_they_were_referenced(tmp_path: Path) -> None:
    writer = RecordingHDF5Writer(tmp_path, flush_every=0.005)
    scope = await microscope(writer, mode="pattern")
    exporter = RunHDF5Exporter(tmp_path)
    await run(sequence(scope.camera, [7, 9]), exporter)
    with h5py.File(exporter.paths[0], "r") as file:
        frames = file["primary/data"][IMAGE]
        assert frames.shape == (16, *FRAME_SHAPE)
        (source,) = {s["uri"] for s in json.loads(frames.attrs["sources"])}
        assert source.endswith(writer.path.name if writer.path else "?")
        assert [int(f.flat[0]) for f in frames[()]] == list(range(16))
        assert_same_frames(list(frames[()]), writer.frames)


async def test_frames_of_a_failed_run_are_linked_up_to_the_last_acknowledged(
    tmp_path: Path,
) -> None:
    writer = DyingWriter(tmp_path / "frames", fail_at=4)
    scope = await microscope(writer)
    exporter = RunHDF5Exporter(tmp_path)
    result, _ = await run(count([scope.camera], 10), exporter)
    assert result.exit_status == "fail"
    with h5py.File(exporter.paths[0], "r") as file:
        assert file.attrs["exit_status"] == "fail"
        assert "MemoryError" in file.attrs["reason"]
        assert len(file["primary/seq_num"]) == 4
        assert_same_frames(list(file["primary/data"][IMAGE][()]), writer.frames[:4])


async def test_frames_in_zarr_are_recorded_not_linked(tmp_path: Path) -> None:
    scope = await microscope(OMEZarrFrameWriter(tmp_path / "frames"))
    exporter = RunHDF5Exporter(tmp_path)
    _, docs = await run(count([scope.camera], 3), exporter)
    (resource,) = docs.of("stream_resource")
    with h5py.File(exporter.paths[0], "r") as file:
        assert IMAGE not in file["primary/data"]
        (piece,) = json.loads(file["primary"].attrs["external"])[IMAGE]
        assert piece["uri"] == resource["uri"]
        assert piece["mimetype"] == "application/x-zarr"
        assert piece["indices"] == {"start": 0, "stop": 3}
        assert len(file["primary/seq_num"]) == 3


def _mixed_run() -> list[tuple[str, Any]]:
    composer = RunComposer({"scan_id": 3})
    keys = {
        "spectrum": {"source": "s", "dtype": "array", "shape": [4], "dtype_numpy": "<i4"},
        "state": {"source": "t", "dtype": "string", "shape": []},
        "ok": {"source": "o", "dtype": "boolean", "shape": []},
        "names": {"source": "n", "dtype": "array", "shape": [2], "dtype_numpy": "<U5"},
    }
    stream = composer.descriptor("primary", keys)
    documents: list[tuple[str, Any]] = [("start", composer.start), ("descriptor", stream.doc)]
    for i in range(5):
        data = {"spectrum": np.arange(4, dtype="<i4") * i, "state": f"s{i}", "ok": i % 2 == 0,
                "names": np.array(["a", "b"])}  # fmt: skip
        documents.append(("event", stream.event(data, dict.fromkeys(data, float(i)))))
    return documents


def test_arrays_strings_and_booleans_become_columns_written_in_blocks(tmp_path: Path) -> None:
    documents = _mixed_run()
    exporter = RunHDF5Exporter(tmp_path, block_rows=2)
    for name, doc in documents[:5]:
        exporter(name, doc)  # two blocks written, one row still buffered
    exporter.close()  # no stop document: the buffered row is written all the same
    with h5py.File(exporter.paths[0], "r") as file:
        data = file["primary/data"]
        assert data["spectrum"].shape == (3, 4)
        assert data["spectrum"].dtype == np.dtype("<i4")
        assert data["spectrum"][2].tolist() == [0, 2, 4, 6]
        assert [s.decode() for s in data["state"][()]] == ["s0", "s1", "s2"]
        assert data["ok"][()].tolist() == [True, False, True]
        assert data["names"].asstr()[()].tolist() == [["a", "b"]] * 3
        assert json.loads(file["primary"].attrs["skipped"]) == {}
        assert "stop" not in file.attrs


def test_a_value_that_does_not_fit_its_column_names_it(tmp_path: Path) -> None:
    documents = _mixed_run()
    event = documents[2][1]
    bad = {**event, "data": {**event["data"], "spectrum": np.arange(5)}}
    exporter = RunHDF5Exporter(tmp_path, block_rows=1)
    exporter(*documents[0])
    exporter(*documents[1])
    with pytest.raises(ValueError, match="'spectrum'"):
        exporter("event", bad)
    exporter.close()
    with h5py.File(exporter.paths[0], "r") as file:
        assert "start" in file.attrs

"""The simulated camera writing frames through skyscope's engine: documents and files agree.

Every document is checked against event-model's JSON schemas as it is emitted; frames read back
from the files (h5py, zarr) are byte-identical to what the camera handed its writer.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import zarr
from _export_helpers import (
    FRAME_SHAPE,
    IMAGE,
    RecordingHDF5Writer,
    assert_same_frames,
    frame_file,
    microscope,
    referenced_frames,
    run,
    sequence,
)

from skyscope.plans import (
    count,
)
from skyscope.writers import OMEZarrFrameWriter


async def test_count_writes_one_frame_per_event_and_references_it(tmp_path: Path) -> None:
    writer = RecordingHDF5Writer(tmp_path)
    scope = await microscope(writer)
    result, docs = await run(count([scope.camera], 5))
    assert result.exit_status == "success"
    (descriptor,) = docs.of("descriptor")
    assert descriptor["data_keys"][IMAGE]["external"] == "STREAM:"
    assert descriptor["data_keys"][IMAGE]["shape"] == list(FRAME_SHAPE)
    events = docs.of("event")
    assert [e["seq_num"] for e in events] == [1, 2, 3, 4, 5]
    assert all(IMAGE not in e["data"] for e in events)
    (resource,) = docs.of("stream_resource")
    assert resource["run_start"] == result.run_start_uids[0]
    assert resource["mimetype"] == "application/x-hdf5"
    datums = docs.of("stream_datum")
    assert [(d["indices"]["start"], d["indices"]["stop"]) for d in datums] == [
        (i, i + 1) for i in range(5)
    ]
    assert [d["seq_nums"]["start"] for d in datums] == [1, 2, 3, 4, 5]
    assert all(d["descriptor"] == descriptor["uid"] for d in datums)
    assert len(writer.frames) == 5
    assert_same_frames(referenced_frames(docs), writer.frames)
    means = [e["data"]["scope-camera-mean"] for e in events]
    assert means == [float(f.mean()) for f in writer.frames]
    (stop,) = docs.of("stop")
    assert stop["exit_status"] == "success"
    assert stop["num_events"] == {"primary": 5}


async def test_a_sequence_streams_frames_referenced_by_stream_datums(tmp_path: Path) -> None:
    writer = RecordingHDF5Writer(tmp_path, flush_every=0.01)
    scope = await microscope(writer, mode="pattern")
    result, docs = await run(sequence(scope.camera, [12, 12]))
    assert result.exit_status == "success"
    assert [name for name, _ in docs.docs][:4] == [
        "start",
        "descriptor",
        "stream_resource",
        "stream_datum",
    ]
    (resource,) = docs.of("stream_resource")
    datums = docs.of("stream_datum")
    assert [(d["indices"]["start"], d["indices"]["stop"]) for d in datums] == [(0, 12), (12, 24)]
    assert len(writer.frames) == 24
    # pattern mode: pixel 0 counts frames, so a lost, repeated or swapped frame shows
    assert [int(f.flat[0]) for f in referenced_frames(docs)] == list(range(24))
    assert_same_frames(referenced_frames(docs), writer.frames)
    assert frame_file(resource).exists()


async def test_count_with_the_ome_zarr_writer(tmp_path: Path) -> None:
    writer = OMEZarrFrameWriter(tmp_path)
    frames: list[np.ndarray] = []
    scope = await microscope(writer)
    original_write = writer.write

    async def keep(frame: np.ndarray) -> int:
        frames.append(frame.copy())
        return await original_write(frame)

    writer.write = keep  # type: ignore[method-assign]
    result, docs = await run(count([scope.camera], 4))
    assert result.exit_status == "success"
    (resource,) = docs.of("stream_resource")
    assert resource["mimetype"] == "application/x-zarr"
    assert [d["indices"] for d in docs.of("stream_datum")][-1] == {"start": 3, "stop": 4}
    store = zarr.open_group(resource["uri"].removeprefix("file://localhost"), mode="r")
    array = store[resource["parameters"]["path"]]
    stored = np.asarray(array[:]).reshape(-1, *FRAME_SHAPE)
    assert_same_frames(list(stored), frames)


async def test_later_collects_continue_the_streams_seq_nums(tmp_path: Path) -> None:
    scope = await microscope(RecordingHDF5Writer(tmp_path), mode="pattern")
    _, docs = await run(sequence(scope.camera, [12, 12]))
    seq_nums = [d["seq_nums"] for d in docs.of("stream_datum")]
    assert seq_nums == [{"start": 1, "stop": 13}, {"start": 13, "stop": 25}]
    assert docs.of("stop")[0]["num_events"] == {"primary": 24}

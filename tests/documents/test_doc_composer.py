"""The run composer: numbering, counting, references, and the shape the engine relies on."""

from __future__ import annotations

import uuid

import numpy as np
import pytest
from _document_samples import ARRAYS, EXTERNAL, SCALARS

from skyscope.documents import (
    DocumentValidationError,
    RunComposer,
    new_uid,
)


def test_start_carries_metadata_uid_and_time() -> None:
    run = RunComposer({"plan_name": "count", "num_points": 3}, uid="run-1", time=12.5)
    assert run.start == {"uid": "run-1", "time": 12.5, "plan_name": "count", "num_points": 3}
    assert type(run.start) is dict
    assert run.uid == "run-1"


def test_seq_num_counts_per_stream_from_one_and_stop_counts_events() -> None:
    run = RunComposer({})
    primary = run.descriptor("primary", SCALARS)
    baseline = run.descriptor("baseline", {"motor": SCALARS["motor"]})
    row = {"motor": 1.0, "counts": 3, "shutter_open": True}
    stamps = dict.fromkeys(row, 1.0)
    seqs = [primary.event(row, stamps)["seq_num"] for _ in range(3)]
    page = primary.event_page({k: [v, v] for k, v in row.items()}, {k: [1.0, 2.0] for k in row})
    base = baseline.event({"motor": 2.0}, {"motor": 1.0})
    assert seqs == [1, 2, 3]
    assert page["seq_num"] == [4, 5]
    assert base["seq_num"] == 1
    assert (primary.num_events, baseline.num_events) == (5, 1)
    stop = run.stop()
    assert stop["num_events"] == {"primary": 5, "baseline": 1}
    assert stop["exit_status"] == "success"
    assert stop["run_start"] == run.uid


def test_descriptor_links_to_the_run_and_copies_what_it_is_given() -> None:
    run = RunComposer({})
    keys = {"motor": dict(SCALARS["motor"])}
    stream = run.descriptor(
        "primary",
        keys,
        object_keys={"motor": ["motor"]},
        hints={"motor": {"fields": ["motor"]}},
        time=5.0,
    )
    keys["motor"]["units"] = "changed later"
    assert stream.doc["run_start"] == run.uid
    assert stream.doc["name"] == stream.name == "primary"
    assert stream.doc["uid"] == stream.uid
    assert stream.doc["time"] == 5.0
    assert stream.doc["data_keys"]["motor"]["units"] == "mm"
    assert run.streams == {"primary": stream}


def test_events_reference_arrays_without_copying() -> None:
    run = RunComposer({})
    stream = run.descriptor("primary", ARRAYS)
    image = np.zeros((4, 6), dtype=np.uint16)
    spectrum = np.arange(17.0)
    event = stream.event(
        {"image": image, "spectrum": spectrum, "roi": [1, 2, 3]}, dict.fromkeys(ARRAYS, 1.0)
    )
    assert event["data"]["image"] is image
    assert event["data"]["spectrum"] is spectrum
    column = np.zeros((2, 4, 6), dtype=np.uint16)
    page = stream.event_page(
        {"image": column, "spectrum": [spectrum, spectrum], "roi": np.ones((2, 3))},
        {key: [1.0, 2.0] for key in ARRAYS},
    )
    assert page["data"]["image"] is column


def test_stream_keys_are_left_out_of_events_and_external_keys_marked_unfilled() -> None:
    run = RunComposer({})
    stream = run.descriptor("primary", EXTERNAL)
    event = stream.event(
        {"legacy": "res/0", "exposure": 0.1, "camera": np.zeros((1, 8, 8))},
        {"legacy": 1.0, "exposure": 1.0, "camera": 1.0},
    )
    assert set(event["data"]) == set(event["timestamps"]) == {"legacy", "exposure"}
    assert event["filled"] == {"legacy": False}
    assert stream.stream_keys == {"camera"}


def test_stream_datum_ties_frames_to_events() -> None:
    run = RunComposer({})
    stream = run.descriptor("primary", EXTERNAL)
    resource = run.stream_resource(
        "camera", "application/x-hdf5", "file://localhost/a.h5", {"dataset": "/data"}, uid="sr"
    )
    first = resource.stream_datum(stream, (0, 2), (1, 3))
    second = resource.stream_datum(stream, (2, 5), (3, 6))
    assert resource.doc["run_start"] == run.uid
    assert first == {
        "uid": "sr/0",
        "stream_resource": "sr",
        "descriptor": stream.uid,
        "indices": {"start": 0, "stop": 2},
        "seq_nums": {"start": 1, "stop": 3},
    }
    assert second["uid"] == "sr/1"


def test_datums_count_from_zero_across_single_and_paged() -> None:
    run = RunComposer({})
    resource = run.resource("AD_HDF5", "/data", "a.h5", {"frame_per_point": 1}, uid="r")
    assert resource.doc["path_semantics"] == "posix"
    assert resource.datum({"point_number": 0})["datum_id"] == "r/0"
    page = resource.datum_page({"point_number": [1, 2]})
    assert page["datum_id"] == ["r/1", "r/2"]


def test_a_stream_described_again_keeps_counting() -> None:
    run = RunComposer({})
    first = run.descriptor("primary", {"motor": SCALARS["motor"]})
    first.event({"motor": 1.0}, {"motor": 1.0})
    second = run.descriptor("primary", {"motor": {**SCALARS["motor"], "units": "um"}})
    assert second.uid != first.uid
    assert second.event({"motor": 2.0}, {"motor": 1.0})["seq_num"] == 2
    assert run.stop()["num_events"] == {"primary": 2}


def test_a_refused_stop_leaves_the_run_open() -> None:
    run = RunComposer({})
    with pytest.raises(DocumentValidationError, match="exit_status"):
        run.stop("crashed")  # type: ignore[arg-type]
    assert not run.stopped
    assert run.stop("abort", "user pressed stop")["reason"] == "user pressed stop"
    assert run.stopped


def test_uids_are_distinct_random_uuid4s() -> None:
    uids = [new_uid() for _ in range(5000)]
    assert len(set(uids)) == len(uids)
    parsed = [uuid.UUID(u) for u in uids[::97]]
    assert all(u.version == 4 and u.variant == uuid.RFC_4122 for u in parsed)
    assert all(str(u) == text for u, text in zip(parsed, uids[::97], strict=True))

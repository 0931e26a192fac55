"""Live runs: a second reader sees a run grow; a killed writer leaves an incomplete run; replay
is idempotent."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import h5py
import numpy as np
from _broker_docs import HDF5, SCALAR_KEYS, RunDocs, file_uri, frame_key, small_run

from _catalog_backends import row_counts
from skyscope.broker import Catalog, Key

TABLES = (
    "runs",
    "run_keys",
    "descriptors",
    "data_keys",
    "events",
    "stream_resources",
    "stream_datums",
    "other_documents",
    "runs_fts",
)


async def test_reader_sees_a_live_run_grow(tmp_path: Path, catalog_location: str) -> None:
    path, h5 = catalog_location, tmp_path / "cam.h5"
    writer, reader = Catalog(path), Catalog(path)
    run = RunDocs({"sample": "beads", "plan_name": "count"})
    # an HDF5 writer in SWMR mode, as a detector writing while the run goes on
    f = h5py.File(h5, "w", libver="latest")
    dataset = f.create_dataset("data", shape=(0, 4, 4), maxshape=(None, 4, 4), dtype="<u2")
    f.swmr_mode = True
    writer(*run.docs[0])
    writer(*run.descriptor("primary", {**SCALAR_KEYS, "cam": frame_key((4, 4))}))
    (_, resource) = run.stream_resource("cam", HDF5, file_uri(h5), {"dataset": "data"})
    writer("stream_resource", resource)
    seen = []
    for i in range(4):
        dataset.resize((i + 1, 4, 4))
        dataset[i] = i
        dataset.flush()
        writer(*run.stream_datum(resource["uid"], "primary", (i, i + 1), (i + 1, i + 2)))
        writer(*run.event("primary", {"x": float(i), "label": f"p{i}"}))
        await asyncio.sleep(0.25)  # the writer thread commits on its own within milliseconds
        live = reader[-1]
        assert live.stop is None
        assert live.status == "acquiring"
        ds = live["primary"].read()
        seen.append(len(ds["x"]))
        np.testing.assert_array_equal(ds["cam"].values[:, 0, 0], np.arange(i + 1))
    writer(*run.stop())
    assert writer.flush()  # on the event loop the stop does not wait for its commit
    f.close()
    assert seen == [1, 2, 3, 4]
    finished = reader[-1]
    assert finished.status == "success"
    assert finished.stop is not None
    assert finished.stop["num_events"] == {"primary": 4}
    writer.close()
    reader.close()


def writer_script(location: str, folder: Path, run: RunDocs, then: str = "") -> str:
    """A Python program that feeds ``run``'s documents live to a catalog, then runs ``then``."""
    docs = folder / "docs.json"
    docs.write_text(json.dumps(run.docs))
    return textwrap.dedent(f"""
        import json, time
        from skyscope.broker import Catalog
        catalog = Catalog({location!r})
        for name, doc in json.load(open({str(docs)!r})):
            catalog(name, doc)
    """) + textwrap.dedent(then)


def test_a_killed_writer_leaves_an_interrupted_run(tmp_path: Path, catalog_location: str) -> None:
    path = catalog_location
    run = small_run({"sample": "cells"}, n_events=3, stop=False)
    script = writer_script(
        path, tmp_path, run, "catalog.flush()\nprint('written', flush=True)\ntime.sleep(60)"
    )
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True
    ) as child:
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "written"
            with Catalog(path) as catalog:
                assert catalog[-1].status == "acquiring"
        finally:
            child.kill()
            child.wait(timeout=10)
    with Catalog(path) as catalog:
        dead = catalog[-1]
        assert dead.uid == run.uid
        assert dead.status == "interrupted"
        assert dead.interruption is not None
        assert "ended without a stop document" in dead.interruption
        assert dead.stop is None
        np.testing.assert_array_equal(dead["primary"].read()["x"].values, [0.0, 1.0, 2.0])


def test_buffered_documents_are_committed_at_exit(tmp_path: Path, catalog_location: str) -> None:
    path = catalog_location
    run = small_run({"sample": "exit"}, n_events=3, stop=False)
    # no event loop, no flush, no close: the last events are still only buffered at exit
    script = writer_script(path, tmp_path, run)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    with Catalog(path) as catalog:
        assert catalog[-1].uid == run.uid
        assert catalog[-1].num_events == 3
        assert catalog[-1].status == "incomplete"


def test_runs_without_stop_are_incomplete_not_lost(catalog_location: str) -> None:
    with Catalog(catalog_location) as catalog:
        catalog.ingest(small_run({"sample": "a"}, stop=False).docs)  # after the fact, no stop
        assert catalog[-1].status == "incomplete"
        live = small_run({"sample": "b", "time": time.time() + 10}, stop=False)
        for name, doc in live.docs:
            catalog(name, doc)
        assert catalog[-1].status == "acquiring"
    with Catalog(catalog_location) as catalog:  # the writer closed without a stop
        assert catalog[-1].uid == live.uid
        assert catalog[-1].status == "incomplete"
        assert len(catalog.search(Key("sample") == "b")) == 1


def test_replay_is_idempotent(
    tmp_path: Path, catalog_location: str, new_catalog: Callable[[], str]
) -> None:
    path, copy_location = catalog_location, new_catalog()
    h5 = tmp_path / "cam.h5"
    with h5py.File(h5, "w") as f:
        f["data"] = np.zeros((2, 3, 3), "<u2")
    runs = [small_run({"sample": "beads", "scan_id": i, "time": 1e9 + i}) for i in range(3)]
    camera = RunDocs({"sample": "cam"})
    camera.descriptor("primary", {"cam": frame_key((3, 3))})
    (_, res) = camera.stream_resource("cam", HDF5, file_uri(h5), {"dataset": "data"})
    camera.stream_datum(res["uid"], "primary", (0, 2), (1, 3))
    camera.stop()
    docs = [doc for run in [*runs, camera] for doc in run.docs]
    with Catalog(path) as catalog:
        catalog.ingest(docs)
        before = row_counts(path, TABLES)
        first = [(r.uid, r.start, r.stop, list(r.documents())) for r in catalog]
        catalog.ingest(docs)
        for name, doc in docs:
            catalog(name, doc)  # a live replay too
        jsonl = tmp_path / "docs.jsonl"
        jsonl.write_text("".join(json.dumps([n, d]) + "\n" for n, d in docs))
        catalog.ingest_jsonl(jsonl)
        assert row_counts(path, TABLES) == before
        assert [(r.uid, r.start, r.stop, list(r.documents())) for r in catalog] == first
    assert (before["events"], before["runs"], before["runs_fts"]) == (6, 4, 4)
    # copying a catalog twice into another gives the same documents, once
    with Catalog(path) as source, Catalog(copy_location) as copy:
        assert copy.ingest_catalog(source) == len(docs)
        copy.ingest_catalog(source)
        assert row_counts(copy_location, TABLES) == before
        assert [list(r.documents()) for r in copy] == [list(r.documents()) for r in source]

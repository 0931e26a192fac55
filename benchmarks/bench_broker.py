"""Benchmark the broker: ingest, search and first-frame latency over a large catalog.

100,000 runs (``--quick``: 10,000), each a start with varied metadata, a descriptor, two events
and a stop; every so often a run whose frames live in an HDF5 file. Reports medians of:
ingest rate (bulk, and live one document at a time), a key query, a full-text query,
``catalog[-1]``, and opening a run to read its first frame. The anchor is a naive SQLite
ingest that commits each document in its own transaction (default settings).

Goals: key query <= 20 ms, first frame <= 10 ms. The last line is JSON with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from skyscope.broker import Catalog, FullText, Key
from skyscope.devices import SoftDetector
from skyscope.engine import Engine
from skyscope.plans import count

Doc = tuple[str, dict[str, Any]]

SAMPLES = ["beads", "cells", "tissue", "zebrafish", "organoid", "yeast", "pollen", "diatoms"]
PLANS = ["count", "scan", "grid_scan", "tile", "mda"]
# Notes draw 3 of 64 words: a full-text query for one word matches about 1 run in 20.
WORDS = [
    f"{stem}{suffix}"
    for stem in ("focus", "drift", "bleach", "mosaic", "tile", "dry", "wet", "calib")
    for suffix in ("", "ed", "ing", "er", "al", "ous", "ish", "ive")
]
FRAME = (512, 512)
FRAMES_PER_FILE = 4


def uid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def scalar_run(rng: random.Random, index: int, t0: float, n_events: int = 2) -> list[Doc]:
    start_uid, desc_uid, when = uid(rng), uid(rng), t0 + index * 10.0
    start = {
        "uid": start_uid,
        "time": when,
        "scan_id": index + 1,
        "plan_name": rng.choice(PLANS),
        "sample": rng.choice(SAMPLES),
        "operator": rng.choice(["ada", "grace", "linus"]),
        "exposure": round(rng.uniform(0.001, 1.0), 4),
        "binning": rng.choice([1, 2, 4]),
        "tags": rng.sample(["focus", "overnight", "test", "calibration"], 2),
        "note": " ".join(rng.sample(WORDS, 3)),
        "detector": {"name": "cam1", "gain": rng.choice([1, 2, 8])},
    }
    data_keys = {"x": {"source": "sim://x", "dtype": "number", "shape": []}}
    descriptor = {
        "uid": desc_uid,
        "run_start": start_uid,
        "name": "primary",
        "time": when,
        "data_keys": data_keys,
        "configuration": {},
        "object_keys": {},
        "hints": {},
    }
    events = [
        (
            "event",
            {
                "uid": uid(rng),
                "descriptor": desc_uid,
                "seq_num": i + 1,
                "time": when + i,
                "data": {"x": float(i)},
                "timestamps": {"x": when + i},
                "filled": {},
            },
        )
        for i in range(n_events)
    ]
    stop = {
        "uid": uid(rng),
        "run_start": start_uid,
        "time": when + 5,
        "exit_status": "success",
        "reason": "",
        "num_events": {"primary": n_events},
    }
    return [("start", start), ("descriptor", descriptor), *events, ("stop", stop)]


def camera_run(rng: random.Random, index: int, t0: float, folder: Path) -> list[Doc]:
    """A run whose primary stream has frames in an HDF5 file (written here)."""
    docs = scalar_run(rng, index, t0)
    start, descriptor = docs[0][1], docs[1][1]
    path = folder / f"camera-{index}.h5"
    frames = np.random.default_rng(index).integers(0, 4096, (FRAMES_PER_FILE, *FRAME), "<u2")
    with h5py.File(path, "w") as f:
        f.create_dataset("entry/data", data=frames, chunks=(1, *FRAME))
    descriptor["data_keys"]["cam"] = {
        "source": "sim://cam",
        "dtype": "array",
        "shape": list(FRAME),
        "dtype_numpy": "<u2",
        "external": "STREAM:",
    }
    resource = {
        "uid": uid(rng),
        "run_start": start["uid"],
        "data_key": "cam",
        "mimetype": "application/x-hdf5",
        "uri": "file://localhost" + str(path),
        "parameters": {"dataset": "entry/data", "chunk_shape": [1, *FRAME]},
    }
    datum = {
        "uid": resource["uid"] + "/0",
        "stream_resource": resource["uid"],
        "descriptor": descriptor["uid"],
        "indices": {"start": 0, "stop": 2},
        "seq_nums": {"start": 1, "stop": 3},
    }
    return [*docs[:2], ("stream_resource", resource), ("stream_datum", datum), *docs[2:]]


def make_docs(n_runs: int, folder: Path) -> tuple[list[Doc], list[str]]:
    """All documents, and the uids of the runs that have frames."""
    rng, t0 = random.Random(1), 1_700_000_000.0
    camera_every = max(1, n_runs // 20)
    docs: list[Doc] = []
    cameras: list[str] = []
    for i in range(n_runs):
        if i % camera_every == 0:
            run = camera_run(rng, i, t0, folder)
            cameras.append(run[0][1]["uid"])
        else:
            run = scalar_run(rng, i, t0)
        docs.extend(run)
    return docs, cameras


def naive_ingest(path: Path, docs: list[Doc]) -> float:
    """Seconds to insert each document as JSON and commit it on its own (SQLite defaults)."""
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE docs (uid TEXT PRIMARY KEY, name TEXT, doc TEXT)")
    db.commit()
    began = time.perf_counter()
    for name, doc in docs:
        db.execute(
            "INSERT OR IGNORE INTO docs VALUES (?, ?, ?)", (doc["uid"], name, json.dumps(doc))
        )
        db.commit()
    elapsed = time.perf_counter() - began
    db.close()
    return elapsed


class PlainSQLite:
    """The anchor for live ingest: each document inserted as JSON on the calling thread (the
    event loop), committed every 0.1 s -- what a catalog subscriber without a writer does.
    """

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("CREATE TABLE docs (uid TEXT PRIMARY KEY, name TEXT, doc TEXT)")
        self.db.execute("BEGIN")
        self.last = time.perf_counter()

    def __call__(self, name: str, doc: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO docs VALUES (?, ?, ?)",
            (str(doc.get("uid")), name, json.dumps(doc, default=float)),
        )
        if time.perf_counter() - self.last > 0.1 or name == "stop":
            self.db.execute("COMMIT")
            self.db.execute("BEGIN")
            self.last = time.perf_counter()

    def close(self) -> None:
        self.db.execute("COMMIT")
        self.db.close()


async def engine_ingest(subscriber: Any, n_events: int) -> tuple[float, float]:
    """(documents/s, longest loop stall in ms) of a count through an engine into ``subscriber``.

    A ticker task wakes every millisecond; its longest late wake-up is the loop's worst stall.
    """
    detector = SoftDetector("det")
    engine = Engine(md={}, handle_sigint=False)
    counted = [0]
    engine.subscribe(lambda name, doc: counted.__setitem__(0, counted[0] + 1))
    engine.subscribe(subscriber)
    longest = [0.0]

    async def tick() -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            longest[0] = max(longest[0], now - last - 0.001)
            last = now

    ticker = asyncio.get_running_loop().create_task(tick())
    began = time.perf_counter()
    await engine(count([detector], n_events))
    if isinstance(subscriber, Catalog):
        await asyncio.to_thread(subscriber.flush)
    elapsed = time.perf_counter() - began
    ticker.cancel()
    return counted[0] / elapsed, longest[0] * 1e3


def median_ms(fn: Callable[[int], object], repeat: int) -> float:
    """Median wall time of ``fn(i)`` over ``repeat`` calls, in milliseconds."""
    times = []
    for i in range(repeat):
        began = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 runs instead of 100,000")
    args = parser.parse_args()
    n_runs = 10_000 if args.quick else 100_000
    repeat = 21
    with tempfile.TemporaryDirectory(prefix="bench-broker-") as tmp:
        folder = Path(tmp)
        docs, cameras = make_docs(n_runs, folder)
        print(f"{n_runs:,} runs, {len(docs):,} documents, {len(cameras)} with HDF5 frames")

        catalog = Catalog(folder / "catalog.sqlite")
        began = time.perf_counter()
        catalog.ingest(docs)
        bulk_s = time.perf_counter() - began
        print(
            f"bulk ingest        {len(docs) / bulk_s:>10,.0f} docs/s"
            f"  {n_runs / bulk_s:>8,.0f} runs/s"
        )

        # live: one document at a time through catalog(name, doc), into a fresh file, as an
        # engine would deliver runs of 200 events each
        rng = random.Random(2)
        live_docs = [d for i in range(100) for d in scalar_run(rng, i, 1.8e9, n_events=200)]
        live = Catalog(folder / "live.sqlite")
        began = time.perf_counter()
        for name, doc in live_docs:
            live(name, doc)
        live.flush()
        live_s = time.perf_counter() - began
        live.close()
        print(f"live ingest        {len(live_docs) / live_s:>10,.0f} docs/s")

        n_events = 2_000 if args.quick else 20_000
        journal_rates, journal_stalls, plain_rates, plain_stalls = [], [], [], []
        for repeat_index in range(3):  # interleaved, medians reported
            journaled = Catalog(folder / f"engine-{repeat_index}.sqlite")
            rate, stall = asyncio.run(engine_ingest(journaled, n_events))
            journaled.close()
            journal_rates.append(rate)
            journal_stalls.append(stall)
            plain = PlainSQLite(folder / f"plain-{repeat_index}.sqlite")
            rate, stall = asyncio.run(engine_ingest(plain, n_events))
            plain.close()
            plain_rates.append(rate)
            plain_stalls.append(stall)
        journal_rate, plain_rate = map(statistics.median, (journal_rates, plain_rates))
        journal_stall, plain_stall = map(statistics.median, (journal_stalls, plain_stalls))
        print(
            f"engine -> catalog (journal, writer thread) {journal_rate:>9,.0f} docs/s, "
            f"longest loop stall {journal_stall:6.1f} ms"
        )
        print(
            f"engine -> plain SQLite insert on the loop  {plain_rate:>9,.0f} docs/s, "
            f"longest loop stall {plain_stall:6.1f} ms"
        )

        naive_docs = docs[:2_000]
        naive_s = naive_ingest(folder / "naive.sqlite", naive_docs)
        naive_rate = len(naive_docs) / naive_s
        print(f"naive (commit/doc) {naive_rate:>10,.0f} docs/s")

        samples = SAMPLES * 3
        key_ms = median_ms(lambda i: catalog.search(Key("sample") == samples[i]).head(20), repeat)
        count_ms = median_ms(lambda i: len(catalog.search(Key("sample") == samples[i])), repeat)
        plans = PLANS * 5
        both_ms = median_ms(
            lambda i: (
                catalog.search(Key("sample") == samples[i])
                .search(Key("plan_name") == plans[i])
                .head(20)
            ),
            repeat,
        )
        words = WORDS * 3
        text_ms = median_ms(lambda i: catalog.search(FullText(words[i])).head(20), repeat)
        text_count_ms = median_ms(lambda i: len(catalog.search(FullText(words[i]))), repeat)
        last_ms = median_ms(lambda i: catalog[-1], repeat)

        def first_frame(i: int) -> None:
            run = catalog[cameras[i % len(cameras)]]
            frame = run["primary"].read()["cam"][0].values
            assert frame.shape == FRAME

        first_frame(0)  # import xarray once, outside the timing
        frame_ms = median_ms(first_frame, repeat)
        raw_ms = median_ms(
            lambda i: catalog[cameras[i % len(cameras)]]["primary"].frames("cam")[0], repeat
        )
        catalog.close()

    print(f"key query (head 20)      {key_ms:7.2f} ms   count {count_ms:7.2f} ms  (goal <= 20 ms)")
    print(f"full-text query (head 20) {text_ms:6.2f} ms   count {text_count_ms:7.2f} ms")
    print(f"two keys (head 20)       {both_ms:7.2f} ms")
    print(f"catalog[-1]              {last_ms:7.2f} ms")
    print(
        f"open run, first frame    {frame_ms:7.2f} ms (xarray)  {raw_ms:.2f} ms (frames)"
        "  (goal <= 10 ms)"
    )
    figures = {
        "runs": n_runs,
        "documents": len(docs),
        "ingest_docs_per_s": round(len(docs) / bulk_s),
        "ingest_runs_per_s": round(n_runs / bulk_s),
        "live_ingest_docs_per_s": round(len(live_docs) / live_s),
        "naive_ingest_docs_per_s": round(naive_rate),
        "speedup_ingest_vs_naive": round(len(docs) / bulk_s / naive_rate, 1),
        "speedup_live_ingest_vs_naive": round(len(live_docs) / live_s / naive_rate, 1),
        "engine_journal_ingest_docs_per_s": round(journal_rate),
        "engine_plain_sqlite_docs_per_s": round(plain_rate),
        "speedup_engine_ingest_vs_plain_sqlite": round(journal_rate / plain_rate, 2),
        "longest_loop_stall_journal_ms": round(journal_stall, 2),
        "longest_loop_stall_plain_sqlite_ms": round(plain_stall, 2),
        "speedup_loop_stall_vs_plain_sqlite": round(plain_stall / max(journal_stall, 1e-3), 1),
        "key_query_ms": round(key_ms, 2),
        "key_count_ms": round(count_ms, 2),
        "two_key_query_ms": round(both_ms, 2),
        "fulltext_query_ms": round(text_ms, 2),
        "fulltext_count_ms": round(text_count_ms, 2),
        "last_run_ms": round(last_ms, 3),
        "first_frame_ms": round(frame_ms, 2),
        "first_frame_raw_ms": round(raw_ms, 2),
        "key_query_goal_met": key_ms <= 20,
        "first_frame_goal_met": frame_ms <= 10,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

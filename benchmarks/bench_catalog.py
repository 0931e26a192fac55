"""Benchmark the catalog on its two backends: SQLite (the anchor) and PostgreSQL, side by side.

The same documents (bench_broker's runs: varied start metadata, a descriptor, events, a stop;
every 20th run with HDF5 frames) go into an SQLite file and into a PostgreSQL database on a
throwaway loopback server (Debian's PostgreSQL 15, default durability: fsync at each commit;
SQLite runs WAL with synchronous=NORMAL). Reports, per backend: bulk ingest and live ingest
(journal + writer thread) in documents per second, and the median latency of a key query, a
two-key query, a full-text query, a count and ``catalog[-1]``. ``--quick``: 2,000 runs.

The last line is JSON; ``speedup_<what>`` is PostgreSQL's figure over SQLite's (above 1:
PostgreSQL faster; for latencies, SQLite's time over PostgreSQL's).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

from _postgres import PostgresServer  # noqa: E402  (the tests' throwaway server)
from bench_broker import SAMPLES, WORDS, make_docs, scalar_run  # noqa: E402
from skyscope.broker import Catalog, FullText, Key  # noqa: E402

POSTGRES = Path("/usr/lib/postgresql/15/bin/postgres")
REPEAT = 21


def median_ms(fn: Callable[[int], object], repeat: int = REPEAT) -> float:
    """Median wall time of ``fn(i)`` over ``repeat`` calls, in milliseconds."""
    times = []
    for i in range(repeat):
        began = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1e3


def measure(
    location: str, live_location: str, docs: list[Any], live_docs: list[Any]
) -> dict[str, float]:
    """Ingest (bulk and live) and query latencies on one backend."""
    figures: dict[str, float] = {}
    with Catalog(location) as catalog:
        began = time.perf_counter()
        catalog.ingest(docs)
        figures["bulk_ingest_docs_per_s"] = len(docs) / (time.perf_counter() - began)
        samples = SAMPLES * 3
        words = WORDS * 3
        figures["key_query_ms"] = median_ms(
            lambda i: catalog.search(Key("sample") == samples[i]).head(20)
        )
        figures["two_key_query_ms"] = median_ms(
            lambda i: (
                catalog.search(Key("sample") == samples[i]).search(Key("binning") == 2).head(20)
            )
        )
        figures["fulltext_query_ms"] = median_ms(
            lambda i: catalog.search(FullText(words[i])).head(20)
        )
        figures["key_count_ms"] = median_ms(
            lambda i: len(catalog.search(Key("sample") == samples[i]))
        )
        figures["last_run_ms"] = median_ms(lambda i: catalog[-1].start)
    with Catalog(live_location) as live:
        began = time.perf_counter()
        for name, doc in live_docs:
            live(name, doc)
        assert live.flush(timeout=600)
        figures["live_ingest_docs_per_s"] = len(live_docs) / (time.perf_counter() - began)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 runs instead of 20,000")
    args = parser.parse_args()
    n_runs = 2_000 if args.quick else 20_000
    with tempfile.TemporaryDirectory(prefix="bench-catalog-") as tmp:
        folder = Path(tmp)
        docs, _ = make_docs(n_runs, folder)
        rng = random.Random(2)
        n_live = 10 if args.quick else 50
        live_docs = [d for i in range(n_live) for d in scalar_run(rng, i, 1.8e9, n_events=200)]
        print(f"{n_runs:,} runs, {len(docs):,} documents; live: {len(live_docs):,} documents")
        sqlite = measure(
            str(folder / "catalog.sqlite"), str(folder / "live.sqlite"), docs, live_docs
        )
        server = PostgresServer(POSTGRES, durable=True)
        try:
            server.start()
            server.execute("CREATE DATABASE bench")
            server.execute("CREATE DATABASE bench_live")
            postgres = measure(server.url("bench"), server.url("bench_live"), docs, live_docs)
        finally:
            server.remove()
    print(f"{'':26}{'SQLite':>12}{'PostgreSQL':>12}{'ratio':>8}")
    result: dict[str, Any] = {"runs": n_runs, "documents": len(docs)}
    for name, anchor in sqlite.items():
        other = postgres[name]
        faster = other / anchor if name.endswith("per_s") else anchor / other
        print(f"{name:26}{anchor:>12,.2f}{other:>12,.2f}{faster:>8.2f}")
        result[f"sqlite_{name}"] = round(anchor, 3)
        result[f"postgresql_{name}"] = round(other, 3)
        what = name.removesuffix("_docs_per_s").removesuffix("_ms")
        result[f"speedup_postgresql_{what}"] = round(faster, 3)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

"""Benchmark the document bus: four engines through NATS JetStream into one catalog.

Four engines (one process, one loop, as four instruments' worth of load) each run ``count`` of
a soft detector. Compared side by side, medians of interleaved repeats:

- **engines alone** (no subscriber): the ceiling the rest is measured against;
- **direct**: the engines feed one catalog live (``engine.subscribe(catalog)``), the anchor;
- **bus**: each engine has a ``BusPublisher``; ``skyscope ingest`` in a child process feeds the
  catalog. Reported: when JetStream has acknowledged everything (publish rate) and when the
  catalog has every run (end-to-end rate); the gap between the two is the consumer's lag, which
  locates the bottleneck.

Latency from emission to queryable: one-event runs, one at a time; the time from the stop
document's ``time`` until a read-only catalog in another thread sees the stop.

Needs ``nats-server`` (Debian's package). The last line is JSON with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from skyscope.broker import BusIngest, BusPublisher, Catalog, CatalogError
from skyscope.devices import SoftDetector
from skyscope.engine import Engine
from skyscope.plans import count

ENGINES = 4
# A stop waits this long for its run to be acknowledged (long runs are published after the
# engines are done when publishing is the slower side; the benchmark wants no error for it).
STOP_S = 600.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_nats(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    program = shutil.which("nats-server")
    if program is None:
        sys.exit("bench_bus needs nats-server: apt-get install -y nats-server")
    port = free_port()
    server = subprocess.Popen(
        [program, "-js", "-a", "127.0.0.1", "-p", str(port), "-sd", str(folder / "nats")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while True:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return server, f"nats://127.0.0.1:{port}"
        if time.monotonic() > deadline:
            sys.exit("nats-server did not start")
        time.sleep(0.02)


def stopped_runs(path: Path, uids: set[str]) -> int:
    """How many of ``uids`` the catalog holds with their stop (0 while it is being created)."""
    try:
        with Catalog(path, readonly=True) as catalog:
            return sum(1 for uid in uids if uid in catalog and catalog[uid].stop is not None)
    except CatalogError:
        return 0


async def engines_run(subscribers: list[list[Any]], events: int) -> tuple[list[str], int]:
    """Run one count per engine at once; return the run uids and the documents emitted."""
    dets = [SoftDetector(f"det{i}") for i in range(ENGINES)]
    engines = []
    for det, subs in zip(dets, subscribers, strict=True):
        await det.connect()
        engine = Engine(md={}, handle_sigint=False)
        for sub in subs:
            engine.subscribe(sub)
        engines.append(engine)
    results = await asyncio.gather(
        *(engine(count([det], num=events)) for engine, det in zip(engines, dets, strict=True))
    )
    uids = [uid for result in results for uid in result.run_start_uids]
    return uids, ENGINES * (events + 3)


async def alone(events: int) -> float:
    began = time.perf_counter()
    _, docs = await engines_run([[] for _ in range(ENGINES)], events)
    return docs / (time.perf_counter() - began)


async def direct(folder: Path, events: int, index: int) -> float:
    catalog = Catalog(folder / f"direct-{index}.sqlite")
    began = time.perf_counter()
    _, docs = await engines_run([[catalog] for _ in range(ENGINES)], events)
    await asyncio.to_thread(catalog.flush)
    elapsed = time.perf_counter() - began
    await asyncio.to_thread(catalog.close)
    return docs / elapsed


async def through_bus(
    url: str, folder: Path, catalog: Path, events: int, index: int
) -> tuple[float, float]:
    """(publish rate, end-to-end rate) in documents per second."""
    publishers = [
        BusPublisher(
            url, instrument=f"scope-{i}", spool=folder / f"{index}-{i}.spool", stop_timeout=STOP_S
        )
        for i in range(ENGINES)
    ]
    for publisher in publishers:
        await publisher.start()
    began = time.perf_counter()
    uids, docs = await engines_run([[p] for p in publishers], events)
    for publisher in publishers:
        await publisher.flush()
    published = time.perf_counter() - began
    while await asyncio.to_thread(stopped_runs, catalog, set(uids)) < len(uids):  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    stored = time.perf_counter() - began
    for publisher in publishers:
        await publisher.close()
    return docs / published, docs / stored


_READERS: dict[Path, Catalog] = {}


def stored(path: Path, uid: str) -> bool:
    """Does a read-only catalog (kept open between calls) hold run ``uid`` with its stop?"""
    if path not in _READERS:
        if not path.exists():
            return False
        _READERS[path] = Catalog(path, readonly=True)
    reader = _READERS[path]
    return uid in reader and reader[uid].stop is not None


async def latency(subscriber: Any, catalog: Path, probes: int) -> float:
    """Median seconds from a stop's emission until a reader of ``catalog`` sees it."""
    det = SoftDetector("probe")
    await det.connect()
    engine = Engine(md={}, handle_sigint=False)
    engine.subscribe(subscriber)
    stops: dict[str, float] = {}
    engine.subscribe(
        lambda name, doc: stops.update({doc["run_start"]: doc["time"]}) if name == "stop" else None
    )
    delays = []
    for _ in range(probes):
        result = await engine(count([det], num=1))
        (uid,) = result.run_start_uids
        while not await asyncio.to_thread(stored, catalog, uid):  # noqa: ASYNC110
            await asyncio.sleep(0.001)
        delays.append(time.time() - stops[uid])
    return statistics.median(delays)


async def recorded_documents(events: int) -> list[list[tuple[str, dict[str, Any]]]]:
    """What each of the four engines emits for one count (for the single-stage figures)."""
    records: list[list[tuple[str, dict[str, Any]]]] = [[] for _ in range(ENGINES)]
    subscribers = [[lambda name, doc, r=r: r.append((name, doc))] for r in records]
    await engines_run(subscribers, events)
    return records


async def publish_only(url: str, folder: Path, records: list[list[Any]]) -> float:
    """Documents per second four publishers get acknowledged, with no engine in the way."""
    publishers = [
        BusPublisher(
            url, instrument=f"solo-{i}", spool=folder / f"solo-{i}.spool", stop_timeout=STOP_S
        )
        for i in range(ENGINES)
    ]
    for publisher in publishers:
        await publisher.start()

    async def feed(publisher: BusPublisher, docs: list[Any]) -> None:
        for name, doc in docs:
            await publisher(name, doc)
        await publisher.flush()

    began = time.perf_counter()
    await asyncio.gather(*(feed(p, r) for p, r in zip(publishers, records, strict=True)))
    elapsed = time.perf_counter() - began
    for publisher in publishers:
        await publisher.close()
    return sum(map(len, records)) / elapsed


async def ingest_only(url: str, folder: Path) -> float:
    """Documents per second a consumer stores, reading a stream that already holds them all."""
    import nats

    client = await nats.connect(url)
    total = (await client.jetstream().stream_info("SKYSCOPE")).state.messages
    await client.close()
    catalog = Catalog(folder / "replay.sqlite")
    stop = asyncio.Event()
    ingest = BusIngest(url, catalog, durable="bench-replay")
    began = time.perf_counter()
    task = asyncio.create_task(ingest.run(stop))
    while ingest.counts.committed < total:  # noqa: ASYNC110 - a counter, no event to wait on
        await asyncio.sleep(0.005)
    elapsed = time.perf_counter() - began
    stop.set()
    await task
    await asyncio.to_thread(catalog.close)
    return total / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer events and repeats")
    args = parser.parse_args()
    events = 500 if args.quick else 5_000
    repeats = 1 if args.quick else 3
    probes = 5 if args.quick else 30
    with tempfile.TemporaryDirectory(prefix="bench-bus-") as tmp:
        folder = Path(tmp)
        server, url = start_nats(folder)
        bus_catalog = folder / "bus.sqlite"
        consumer = subprocess.Popen(
            [sys.executable, "-m", "skyscope", "ingest", url, "--catalog", str(bus_catalog)],
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert consumer.stderr is not None
            consumer.stderr.readline()  # "ingesting …": the catalog is open, the consumer bound
            figures = run_all(url, folder, bus_catalog, events, repeats, probes)
        finally:
            consumer.terminate()
            consumer.wait(timeout=30)
        try:
            figures.update(single_stages(url, folder, events, repeats))
        finally:
            server.terminate()
            server.wait(timeout=30)
    # The engines and their publishers share one process (one core, one loop): their costs add.
    alone, publish = figures["docs_per_s_alone"], figures["docs_per_s_publish_alone"]
    instrument_side = 1 / (1 / alone + 1 / publish)
    stages = {
        "the instruments' process (engines + publishers)": instrument_side,
        "the consumer (decode, check, commit, ack)": figures["docs_per_s_ingest_alone"],
    }
    slowest = min(stages, key=lambda stage: stages[stage])
    for stage, rate in stages.items():
        print(f"capacity of {stage}: {rate:,.0f} docs/s")
    print(f"bottleneck: {slowest}; both are CPU-bound Python, sharing the machine's cores")
    figures["docs_per_s_instrument_side"] = round(instrument_side)
    print(json.dumps(figures))


def single_stages(url: str, folder: Path, events: int, repeats: int) -> dict[str, float]:
    """Each stage alone: publishing pre-composed documents, and ingesting a full stream."""
    publish = statistics.median(
        asyncio.run(publish_only(url, folder, asyncio.run(recorded_documents(events))))
        for _ in range(repeats)
    )
    ingest = asyncio.run(ingest_only(url, folder))
    print(f"publish alone (4 publishers, no engine) {publish:>9,.0f} docs/s")
    print(f"ingest alone (consumer reading a full stream) {ingest:>9,.0f} docs/s")
    return {"docs_per_s_publish_alone": round(publish), "docs_per_s_ingest_alone": round(ingest)}


def run_all(
    url: str, folder: Path, bus_catalog: Path, events: int, repeats: int, probes: int
) -> dict[str, float]:
    alone_rates, direct_rates, publish_rates, bus_rates = [], [], [], []
    asyncio.run(alone(events))  # warm up: imports, first compositions
    for index in range(repeats):  # interleaved, medians reported
        alone_rates.append(asyncio.run(alone(events)))
        direct_rates.append(asyncio.run(direct(folder, events, index)))
        publish, end_to_end = asyncio.run(through_bus(url, folder, bus_catalog, events, index))
        publish_rates.append(publish)
        bus_rates.append(end_to_end)
    rate_alone, rate_direct, rate_publish, rate_bus = map(
        statistics.median, (alone_rates, direct_rates, publish_rates, bus_rates)
    )
    direct_catalog = Catalog(folder / "latency.sqlite")
    latency_direct = asyncio.run(latency(direct_catalog, folder / "latency.sqlite", probes))
    direct_catalog.close()

    async def bus_latency() -> float:
        async with BusPublisher(url, instrument="probe", spool=folder / "probe.spool") as pub:
            return await latency(pub, bus_catalog, probes)

    latency_bus = asyncio.run(bus_latency())
    for reader in _READERS.values():
        reader.close()
    docs = ENGINES * (events + 3)
    print(f"{ENGINES} engines x {events} events ({docs} documents), median of {repeats}")
    print(f"engines alone, no subscriber          {rate_alone:>9,.0f} docs/s")
    print(f"direct: engines -> one catalog (live) {rate_direct:>9,.0f} docs/s")
    print(f"bus: acknowledged by JetStream        {rate_publish:>9,.0f} docs/s")
    print(f"bus: end to end, stored in catalog    {rate_bus:>9,.0f} docs/s")
    print(
        f"latency emission -> queryable: direct {latency_direct * 1e3:.1f} ms, "
        f"bus {latency_bus * 1e3:.1f} ms (median of {probes})"
    )
    return {
        "docs_per_s_alone": round(rate_alone),
        "docs_per_s_direct": round(rate_direct),
        "docs_per_s_bus_published": round(rate_publish),
        "docs_per_s_bus_end_to_end": round(rate_bus),
        "latency_ms_direct": round(latency_direct * 1e3, 2),
        "latency_ms_bus": round(latency_bus * 1e3, 2),
        "speedup_bus_vs_direct": round(rate_bus / rate_direct, 3),
        "speedup_publish_vs_direct": round(rate_publish / rate_direct, 3),
        "speedup_latency_bus_vs_direct": round(latency_direct / latency_bus, 3),
    }


if __name__ == "__main__":
    main()

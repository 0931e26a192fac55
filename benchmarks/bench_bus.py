"""Benchmark the document bus: four engines through NATS JetStream into SQLite and PostgreSQL.

Four engines (one process, one loop, as four instruments' worth of load) each run ``count`` of
a soft detector. Compared side by side, medians of interleaved repeats, once per catalog
backend (an SQLite file; a PostgreSQL 15 database on a throwaway loopback server with its
default durability, fsync at each commit, as in bench_catalog):

- **engines alone** (no subscriber): the ceiling the rest is measured against;
- **direct**: the engines feed one catalog live (``engine.subscribe(catalog)``), the anchors;
- **bus**: each engine has a ``BusPublisher``; ``skyscope ingest`` in a child process feeds the
  catalog. Reported: when JetStream has acknowledged everything (publish rate) and when the
  catalog has every run (end-to-end rate); the gap between the two is the consumer's lag, which
  locates the bottleneck.

Latency from emission to queryable: one-event runs, one at a time; the time from the stop
document's ``time`` until a read-only catalog in another thread sees the stop.

Each backend gets its own nats-server (a fresh stream). Needs ``nats-server`` and PostgreSQL 15
(Debian's packages). The last line is JSON with the figures; ``speedup_<a>_vs_<b>`` is a's rate
over b's (for latencies, b's time over a's); ``_pg`` names the PostgreSQL figures, the others
are SQLite's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from _postgres import PostgresServer  # noqa: E402  (the tests' throwaway server)
from skyscope.broker import BusIngest, BusPublisher, Catalog, CatalogError  # noqa: E402
from skyscope.devices import SoftDetector  # noqa: E402
from skyscope.engine import Engine  # noqa: E402
from skyscope.plans import count  # noqa: E402

POSTGRES = Path("/usr/lib/postgresql/15/bin/postgres")
ENGINES = 4
# A stop waits this long for its run to be acknowledged (long runs are published after the
# engines are done when publishing is the slower side; the benchmark wants no error for it).
STOP_S = 600.0
BACKENDS = {"sqlite": "", "postgresql": "_pg"}  # backend -> suffix of its figures' names


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


def start_postgres() -> PostgresServer:
    if not POSTGRES.exists():
        sys.exit(f"bench_bus needs PostgreSQL 15 ({POSTGRES}): apt-get install -y postgresql")
    server = PostgresServer(POSTGRES, durable=True)
    server.start()
    server.make_template()
    return server


class Places:
    """Fresh catalog locations on one backend: SQLite files in a folder, or new databases."""

    def __init__(self, folder: Path, postgres: PostgresServer | None) -> None:
        self.folder = folder
        self.postgres = postgres

    def fresh(self, name: str) -> str:
        if self.postgres is None:
            return str(self.folder / f"{name}.sqlite")
        return self.postgres.fresh_database()


_READERS: dict[str, Catalog] = {}


def reader(location: str) -> Catalog | None:
    """A read-only catalog of ``location``, kept open between calls (None until it exists)."""
    if location not in _READERS:
        try:
            _READERS[location] = Catalog(location, readonly=True)
        except CatalogError:  # an SQLite file the writer has not created yet
            return None
    return _READERS[location]


def stopped_runs(location: str, uids: set[str]) -> int:
    """How many of ``uids`` the catalog holds with their stop."""
    catalog = reader(location)
    if catalog is None:
        return 0
    return sum(1 for uid in uids if uid in catalog and catalog[uid].stop is not None)


def close_readers() -> None:
    for catalog in _READERS.values():
        catalog.close()
    _READERS.clear()


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds process ``pid`` has used so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postmaster(server: PostgresServer) -> int:
    """The process id of ``server``'s postmaster (first line of its pid file)."""
    return int((server.data / "postmaster.pid").read_text().split()[0])


def with_children(pid: int) -> list[int]:
    """``pid`` and its child processes (a PostgreSQL server's backends and workers)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(stat.parent.name))
        except (OSError, ValueError):  # a process that just ended
            continue
    return [pid, *children]


def cpu_of(parties: dict[str, list[int]]) -> dict[str, float]:
    """CPU seconds used so far by each party's processes (ended ones no longer count)."""
    used = {}
    for party, pids in parties.items():
        total = 0.0
        for pid in pids:
            with contextlib.suppress(OSError):
                total += cpu_seconds(pid)
        used[party] = total
    return used


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


async def direct(location: str, events: int) -> float:
    catalog = await asyncio.to_thread(Catalog, location)
    began = time.perf_counter()
    _, docs = await engines_run([[catalog] for _ in range(ENGINES)], events)
    await asyncio.to_thread(catalog.flush)
    elapsed = time.perf_counter() - began
    await asyncio.to_thread(catalog.close)
    return docs / elapsed


async def through_bus(url: str, folder: Path, catalog: str, events: int, index: int) -> list[float]:
    """[publish rate, end-to-end rate] in documents per second."""
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
    return [docs / published, docs / stored]


async def latency(subscriber: Any, catalog: str, probes: int) -> float:
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
        while not await asyncio.to_thread(stopped_runs, catalog, {uid}):  # noqa: ASYNC110
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


async def ingest_only(url: str, location: str) -> float:
    """Documents per second a consumer stores, reading a stream that already holds them all."""
    import nats

    client = await nats.connect(url)
    total = (await client.jetstream().stream_info("SKYSCOPE")).state.messages
    await client.close()
    catalog = await asyncio.to_thread(Catalog, location)
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


def backend_phase(
    places: Places, folder: Path, events: int, repeats: int, probes: int
) -> dict[str, list[float]]:
    """Every figure of one backend, on a nats-server of its own: raw samples by name."""
    folder.mkdir()
    server, url = start_nats(folder)
    samples: dict[str, list[float]] = defaultdict(list)
    try:
        bus_catalog = places.fresh("bus")
        consumer = subprocess.Popen(
            [sys.executable, "-m", "skyscope", "ingest", url, "--catalog", bus_catalog],
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert consumer.stderr is not None
            consumer.stderr.readline()  # "ingesting …": the catalog is open, the consumer bound
            asyncio.run(alone(events))  # warm up: imports, first compositions
            for index in range(repeats):  # interleaved, medians reported
                samples["alone"].append(asyncio.run(alone(events)))
                samples["direct"].append(
                    asyncio.run(direct(places.fresh(f"direct-{index}"), events))
                )
                parties = {"instruments": [os.getpid()], "consumer": [consumer.pid]}
                parties["nats"] = [server.pid]
                if places.postgres is not None:
                    parties["postgres"] = with_children(postmaster(places.postgres))
                before = cpu_of(parties)
                bus = asyncio.run(through_bus(url, folder, bus_catalog, events, index))
                if places.postgres is not None:  # backends that connected meanwhile count too
                    parties["postgres"] = with_children(postmaster(places.postgres))
                after = cpu_of(parties)
                samples["bus_published"].append(bus[0])
                samples["bus_end_to_end"].append(bus[1])
                for party in parties:  # CPU milliseconds per 1,000 documents
                    spent = (after[party] - before[party]) * 1e6 / (ENGINES * (events + 3))
                    samples[f"cpu_ms_per_kdoc_{party}"].append(spent)
            samples["latency_ms_direct"].append(1e3 * direct_latency(places, probes))
            samples["latency_ms_bus"].append(1e3 * bus_latency(url, folder, bus_catalog, probes))
        finally:
            close_readers()
            consumer.terminate()
            consumer.wait(timeout=30)
        records = asyncio.run(recorded_documents(events))
        for _ in range(repeats):
            samples["publish_alone"].append(asyncio.run(publish_only(url, folder, records)))
        samples["ingest_alone"].append(asyncio.run(ingest_only(url, places.fresh("replay"))))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return samples


def direct_latency(places: Places, probes: int) -> float:
    location = places.fresh("latency")
    catalog = Catalog(location)
    try:
        return asyncio.run(latency(catalog, location, probes))
    finally:
        catalog.close()


def bus_latency(url: str, folder: Path, bus_catalog: str, probes: int) -> float:
    async def probe() -> float:
        async with BusPublisher(url, instrument="probe", spool=folder / "probe.spool") as pub:
            return await latency(pub, bus_catalog, probes)

    return asyncio.run(probe())


def figures_of(samples: dict[str, dict[str, list[float]]]) -> dict[str, float]:
    """Medians by figure name (``_pg`` for PostgreSQL's) and the ratios between them."""
    med = {
        name + suffix: statistics.median(values)
        for backend, suffix in BACKENDS.items()
        for name, values in samples[backend].items()
        if name not in ("alone", "publish_alone")
    }
    for shared in ("alone", "publish_alone"):  # backend-independent: pooled over both phases
        med[shared] = statistics.median(v for s in samples.values() for v in s[shared])
    figures: dict[str, float] = {
        (name if name.startswith(("latency", "cpu")) else f"docs_per_s_{name}"): (
            round(value, 2) if name.startswith(("latency", "cpu")) else round(value)
        )
        for name, value in med.items()
    }
    rates = {  # speedup name -> (numerator, denominator) of documents per second
        "bus_vs_direct": ("bus_end_to_end", "direct"),
        "publish_vs_direct": ("bus_published", "direct"),
        "bus_pg_vs_direct_pg": ("bus_end_to_end_pg", "direct_pg"),
        "bus_pg_vs_direct": ("bus_end_to_end_pg", "direct"),
        "publish_pg_vs_direct_pg": ("bus_published_pg", "direct_pg"),
        "direct_pg_vs_direct": ("direct_pg", "direct"),
        "ingest_alone_pg_vs_ingest_alone": ("ingest_alone_pg", "ingest_alone"),
    }
    for what, (a, b) in rates.items():
        figures[f"speedup_{what}"] = round(med[a] / med[b], 3)
    delays = {  # speedup name -> (time, anchor time): the anchor's time over the other's
        "latency_bus_vs_direct": ("latency_ms_bus", "latency_ms_direct"),
        "latency_bus_pg_vs_direct_pg": ("latency_ms_bus_pg", "latency_ms_direct_pg"),
        "latency_bus_pg_vs_direct": ("latency_ms_bus_pg", "latency_ms_direct"),
        "latency_direct_pg_vs_direct": ("latency_ms_direct_pg", "latency_ms_direct"),
    }
    for what, (a, b) in delays.items():
        figures[f"speedup_{what}"] = round(med[b] / med[a], 3)
    return figures


def print_table(figures: dict[str, float], events: int, repeats: int, probes: int) -> None:
    docs = ENGINES * (events + 3)
    print(f"{ENGINES} engines x {events} events ({docs} documents), median of {repeats}")
    rows = [
        ("engines alone, no subscriber", "alone", None),
        ("direct: engines -> one catalog (live)", "direct", "direct_pg"),
        ("bus: acknowledged by JetStream", "bus_published", "bus_published_pg"),
        ("bus: end to end, stored in catalog", "bus_end_to_end", "bus_end_to_end_pg"),
        ("publish alone (4 publishers, no engine)", "publish_alone", None),
        ("ingest alone (consumer, full stream)", "ingest_alone", "ingest_alone_pg"),
    ]
    print(f"{'docs/s':<42}{'SQLite':>10}{'PostgreSQL':>12}")
    for label, lite, pg in rows:
        pg_text = f"{figures['docs_per_s_' + pg]:>12,.0f}" if pg else f"{'(same)':>12}"
        print(f"{label:<42}{figures['docs_per_s_' + lite]:>10,.0f}{pg_text}")
    for way in ("direct", "bus"):
        print(
            f"{'latency emission -> queryable, ' + way + ' (ms)':<42}"
            f"{figures['latency_ms_' + way]:>10.1f}{figures['latency_ms_' + way + '_pg']:>12.1f}"
        )
    print(f"(latency: median of {probes} one-event runs)")
    print("CPU ms per 1,000 documents during the bus runs:")
    parties = {
        "instruments": "instruments (engines + publishers)",
        "consumer": "consumer (skyscope ingest)",
        "nats": "nats-server",
        "postgres": "PostgreSQL server",
    }
    for party, label in parties.items():
        lite = figures.get(f"cpu_ms_per_kdoc_{party}")
        lite_text = f"{lite:>8,.0f}" if lite is not None else f"{'-':>8}"
        print(f"  {label:<40}{lite_text}{figures[f'cpu_ms_per_kdoc_{party}_pg']:>12,.0f}")
    for suffix, backend in (("", "SQLite"), ("_pg", "PostgreSQL")):
        total = sum(figures.get(f"cpu_ms_per_kdoc_{party}{suffix}", 0) for party in parties)
        cores = os.cpu_count() or 1
        print(
            f"  into {backend}: {total:,.0f} CPU ms per 1,000 documents in all, a ceiling of "
            f"{cores * 1e6 / total:,.0f} docs/s on {cores} cores"
        )


def print_bottleneck(figures: dict[str, float]) -> None:
    # The engines and their publishers share one process (one core, one loop): their costs add.
    alone, publish = figures["docs_per_s_alone"], figures["docs_per_s_publish_alone"]
    instrument_side = 1 / (1 / alone + 1 / publish)
    figures["docs_per_s_instrument_side"] = round(instrument_side)
    print(f"capacity of the instruments' process (engines + publishers): {instrument_side:,.0f}")
    for suffix, backend in (("", "SQLite"), ("_pg", "PostgreSQL")):
        consumer = figures[f"docs_per_s_ingest_alone{suffix}"]
        print(
            f"capacity of the consumer into {backend} (decode, check, commit, ack): {consumer:,.0f}"
        )
        slowest = "the consumer" if consumer < instrument_side else "the instruments' process"
        print(f"bottleneck into {backend}: {slowest}")
    print("both sides are CPU-bound Python processes sharing the machine's cores")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer events and repeats")
    args = parser.parse_args()
    events = 500 if args.quick else 5_000
    repeats = 1 if args.quick else 3
    probes = 5 if args.quick else 30
    postgres = start_postgres()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-bus-") as tmp:
            folder = Path(tmp)
            # PostgreSQL catalogs journal under the data dir: keep theirs (and the consumer's) here
            os.environ["SKYSCOPE_DATA_DIR"] = str(folder / "data")
            samples = {
                backend: backend_phase(
                    Places(folder, postgres if backend == "postgresql" else None),
                    folder / backend,
                    events,
                    repeats,
                    probes,
                )
                for backend in BACKENDS
            }
    finally:
        postgres.remove()
    figures = figures_of(samples)
    print_table(figures, events, repeats, probes)
    print_bottleneck(figures)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

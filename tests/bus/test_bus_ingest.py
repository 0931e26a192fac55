"""The ingest consumer: acknowledges after commit, idempotent on uid, resumes where it stopped."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Any

import nats
import pytest
from _nats_server import (
    STREAM,
    NatsServer,
    complete_runs,
    start_ingest,
    stored_documents,
    wait_until,
)

from skyscope.broker import BusIngest, BusPublisher, Catalog
from skyscope.cli import main
from skyscope.devices import SoftDetector
from skyscope.documents import to_msgpack
from skyscope.engine import Engine
from skyscope.plans import count


class Record:
    """An instrument's own record: each run's documents as ``(name, uid)``, in order."""

    def __init__(self) -> None:
        self.runs: dict[str, list[tuple[str, str]]] = {}
        self.docs: list[tuple[str, dict[str, Any]]] = []
        self._run = ""

    def __call__(self, name: str, doc: dict[str, Any]) -> None:
        if name == "start":
            self._run = doc["uid"]
        self.runs.setdefault(self._run, []).append((name, doc["uid"]))
        self.docs.append((name, doc))


async def acquire(url: str, det: SoftDetector, spool: Path, runs: int, events: int) -> Record:
    record = Record()
    engine = Engine(md={}, handle_sigint=False)
    engine.subscribe(record)
    async with BusPublisher(url, instrument="scope-1", spool=spool) as publisher:
        engine.subscribe(publisher)
        for _ in range(runs):
            result = await engine(count([det], num=events))
            assert not result.problems
    return record


async def ensure_documents_stream(js: Any) -> None:
    """The stream as the publishers make it (here documents are published by hand)."""
    await js.add_stream(name=STREAM, subjects=["skyscope.>"])


async def ingest_until(ingest: BusIngest, done: Any) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(ingest.run(stop))
    try:
        await wait_until(done)
    finally:
        stop.set()
        await task


async def test_every_run_is_stored_once_and_replaying_changes_nothing(
    bus: NatsServer, det: SoftDetector, catalog_url: str, tmp_path: Path
) -> None:
    record = await acquire(bus.url, det, tmp_path / "spool", runs=3, events=10)
    with Catalog(catalog_url) as catalog:
        ingest = BusIngest(bus.url, catalog, batch=7)
        await ingest_until(ingest, lambda: ingest.counts.committed == len(record.docs))
        assert stored_documents(catalog_url) == record.runs
        assert ingest.counts.refused == 0
        # a second consumer reads the whole stream again: the catalog already has every uid
        again = BusIngest(bus.url, catalog, durable="replay")
        await ingest_until(again, lambda: again.counts.committed == len(record.docs))
    assert stored_documents(catalog_url) == record.runs


async def test_nothing_is_acknowledged_that_the_catalog_did_not_commit(
    bus: NatsServer, det: SoftDetector, catalog_url: str, tmp_path: Path
) -> None:
    record = await acquire(bus.url, det, tmp_path / "spool", runs=1, events=5)
    Catalog(catalog_url).close()
    with Catalog(catalog_url, readonly=True) as refusing:  # every commit fails
        failing = BusIngest(bus.url, refusing, durable="d", ack_wait=1)
        await ingest_until(failing, lambda: failing.counts.failed_commits >= 1)
    assert failing.counts.committed == 0
    # the same durable consumer, now with a catalog that commits: everything comes again
    with Catalog(catalog_url) as catalog:
        ingest = BusIngest(bus.url, catalog, durable="d", ack_wait=1)
        await ingest_until(ingest, lambda: ingest.counts.committed == len(record.docs))
    assert ingest.counts.redelivered == len(record.docs)
    assert stored_documents(catalog_url) == record.runs


async def test_a_document_before_its_parent_waits_for_it(
    bus: NatsServer, det: SoftDetector, catalog_url: str, tmp_path: Path
) -> None:
    record = Record()
    engine = Engine(md={}, handle_sigint=False)
    engine.subscribe(record)
    await engine(count([det], num=3))
    (run_uid,) = record.runs
    # the first event is sent ahead of its descriptor (as a redelivery overtaken by newer ones)
    names = [name for name, _ in record.docs]
    reordered = list(record.docs)
    first_event = reordered.pop(names.index("event"))
    reordered.insert(names.index("descriptor"), first_event)
    client = await nats.connect(bus.url)
    try:
        js = client.jetstream()
        await ensure_documents_stream(js)
        for name, doc in reordered:
            await js.publish(f"skyscope.other.{run_uid}.{name}", to_msgpack(doc))
    finally:
        await client.close()
    with Catalog(catalog_url) as catalog:
        ingest = BusIngest(bus.url, catalog, batch=3)
        total = len(record.docs)
        await ingest_until(ingest, lambda: ingest.counts.committed == total)
        assert ingest.counts.deferred >= 1
        assert ingest.counts.refused == 0
    # stored once each; the event that came early was committed after the others of its stream
    assert sorted(stored_documents(catalog_url)[run_uid]) == sorted(record.runs[run_uid])


async def test_the_command_ingests_until_terminated(
    bus: NatsServer, det: SoftDetector, catalog_url: str, tmp_path: Path
) -> None:
    record = await acquire(bus.url, det, tmp_path / "spool", runs=2, events=5)
    log = tmp_path / "ingest.log"
    child = await start_ingest(bus.url, catalog_url, log, "--durable", "cli")
    await wait_until(lambda: complete_runs(catalog_url) == set(record.runs))
    child.send_signal(signal.SIGTERM)
    assert await child.wait() == 0, log.read_text()
    err = log.read_text()
    assert f"ingested {len(record.docs)} documents" in err
    assert stored_documents(catalog_url) == record.runs


@pytest.mark.parametrize(
    ("argv", "words"),
    [(["http://x"], "looks like nats://"), (["nats://x", "--batch", "0"], "at least 1")],
)
def test_the_command_names_bad_arguments(
    argv: list[str], words: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = main(["ingest", *argv, "--catalog", str(tmp_path / "c.sqlite")])
    except SystemExit as exit_:  # argparse refuses the URL itself
        code = int(exit_.code or 0)
    assert code != 0
    assert words in capsys.readouterr().err

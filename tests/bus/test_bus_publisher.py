"""The publisher: every document on its subject, acknowledged, deduplicated, spooled offline."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import nats
import pytest
from _nats_server import STREAM, NatsServer, wait_until

from skyscope.broker import BusError, BusPublisher
from skyscope.devices import SoftDetector
from skyscope.documents import from_msgpack
from skyscope.engine import Engine
from skyscope.plans import count


class Record:
    """An instrument's own record of what it emitted."""

    def __init__(self) -> None:
        self.docs: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, name: str, doc: dict[str, Any]) -> None:
        self.docs.append((name, doc))


async def stream_contents(url: str) -> list[tuple[str, str, dict[str, Any]]]:
    """Every message in the stream: (subject, Nats-Msg-Id, document), in stream order."""
    client = await nats.connect(url)
    try:
        js = client.jetstream()
        info = await js.stream_info(STREAM)
        found = []
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            message = await js.get_msg(STREAM, seq)
            assert message.headers is not None
            msg_id = message.headers["Nats-Msg-Id"]
            found.append((message.subject, msg_id, from_msgpack(message.data or b"")))
        return found
    finally:
        await client.close()


def engine_with(*subscribers: Any) -> Engine:
    engine = Engine(md={}, handle_sigint=False)
    for subscriber in subscribers:
        engine.subscribe(subscriber)
    return engine


async def test_every_document_on_its_subject_in_order(
    bus: NatsServer, det: SoftDetector, tmp_path: Path
) -> None:
    record = Record()
    publisher = BusPublisher(bus.url, instrument="scope-1", spool=tmp_path / "spool")
    async with publisher:
        result = await engine_with(publisher, record)(count([det], num=5))
    assert result.exit_status == "success"
    assert not result.problems
    messages = await stream_contents(bus.url)
    run_uid = result.run_start_uids[0]
    assert [(subject, doc["uid"]) for subject, _, doc in messages] == [
        (f"skyscope.scope-1.{run_uid}.{name}", doc["uid"]) for name, doc in record.docs
    ]
    assert [msg_id for _, msg_id, _ in messages] == [
        f"{name}:{doc['uid']}" for name, doc in record.docs
    ]
    assert publisher.published == len(record.docs) == 8
    assert publisher.spooled == 0
    assert not (tmp_path / "spool").exists()  # an empty spool is removed on close


async def test_a_republished_document_is_stored_once(
    bus: NatsServer, det: SoftDetector, tmp_path: Path
) -> None:
    record = Record()
    async with BusPublisher(bus.url, instrument="scope-1", spool=tmp_path / "a") as first:
        await engine_with(first, record)(count([det], num=3))
    # a second publisher (as after a reconnect or a restart) sends the same documents again
    async with BusPublisher(bus.url, instrument="scope-1", spool=tmp_path / "b") as again:
        for name, doc in record.docs:
            await again(name, doc)
        assert await again.flush(timeout=30)
    assert again.duplicates == len(record.docs) == 6
    messages = await stream_contents(bus.url)
    assert [doc["uid"] for _, _, doc in messages] == [doc["uid"] for _, doc in record.docs]


async def test_offline_documents_are_spooled_then_published_in_order(
    bus: NatsServer, det: SoftDetector, tmp_path: Path
) -> None:
    record = Record()
    publisher = BusPublisher(
        bus.url, instrument="scope-1", spool=tmp_path / "spool", stop_timeout=120
    )
    async with publisher:
        await engine_with(publisher, record)(count([det], num=2))
        bus.kill()
        await wait_until(lambda: not publisher.online)  # the client notices the lost connection
        # the whole run happens while the server is away: the engine does not wait for it,
        # not even at the stop (it would wait up to stop_timeout for a server that answers)
        began = time.monotonic()
        result = await engine_with(publisher, record)(count([det], num=20))
        assert time.monotonic() - began < 60  # far below stop_timeout
        assert result.exit_status == "success"
        assert publisher.spooled > 0
        assert (tmp_path / "spool").stat().st_size > 0
        (problem,) = result.problems
        assert "BusPublishError" in problem
        assert f"run {result.run_start_uids[0]}" in problem
        assert "not acknowledged by" in problem
        assert "0 s after the stop" in problem
        bus.start()
        assert await publisher.flush(timeout=30)
    messages = await stream_contents(bus.url)
    assert [doc["uid"] for _, _, doc in messages] == [doc["uid"] for _, doc in record.docs]


async def test_memory_is_bounded_in_bytes(
    bus: NatsServer, det: SoftDetector, tmp_path: Path
) -> None:
    record = Record()
    publisher = BusPublisher(bus.url, instrument="scope-1", spool=tmp_path / "s", buffer_bytes=1)
    async with publisher:
        await engine_with(publisher, record)(count([det], num=10))
    assert publisher.spooled == len(record.docs)  # nothing fits in 1 byte: all went via disk
    messages = await stream_contents(bus.url)
    assert [doc["uid"] for _, _, doc in messages] == [doc["uid"] for _, doc in record.docs]


async def test_a_dead_publishers_spool_is_published_first(
    bus: NatsServer, det: SoftDetector, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    record = Record()
    spool = tmp_path / "spool"
    bus.kill()
    first = BusPublisher(bus.url, instrument="scope-1", spool=spool, stop_timeout=0)
    await engine_with(first, record)(count([det], num=3))
    await first.close(timeout=0)  # gives up: the documents stay in the spool
    assert spool.stat().st_size > 0
    with spool.open("ab") as file:  # and a record cut short, as by a kill mid-write
        file.write(b"\x40\x00\x00\x00\x00\x00\x00\x00half a rec")
    bus.start()
    async with BusPublisher(bus.url, instrument="scope-1", spool=spool) as second:
        await engine_with(second, record)(count([det], num=2))
    messages = await stream_contents(bus.url)
    assert [doc["uid"] for _, _, doc in messages] == [doc["uid"] for _, doc in record.docs]
    assert "a record a publisher was writing as it died" in caplog.text
    assert not spool.exists()


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"url": "http://x", "instrument": "a"}, "nats://"),
        ({"url": "nats://x:1", "instrument": "a.b"}, "instrument 'a.b'"),
        ({"url": "nats://x:1", "instrument": "a", "stream": "S>"}, "stream name"),
    ],
)
def test_bad_settings_are_named(kwargs: dict[str, Any], words: str) -> None:
    with pytest.raises(BusError, match=words):
        BusPublisher(**kwargs)


def test_buffer_must_hold_a_byte() -> None:
    with pytest.raises(ValueError, match="at least 1 byte"):
        BusPublisher("nats://127.0.0.1:1", instrument="a", buffer_bytes=0)


async def test_a_closed_publisher_says_so(bus: NatsServer, tmp_path: Path) -> None:
    publisher = BusPublisher(bus.url, instrument="scope-1", spool=tmp_path / "spool")
    await publisher.start()
    await publisher.close()
    with pytest.raises(BusError, match="is closed"):
        await publisher("start", {"uid": "x", "time": 0.0})


async def test_order_holds_across_memory_and_spool(
    bus: NatsServer, det: SoftDetector, tmp_path: Path
) -> None:
    record = Record()
    # room for a couple of documents: the engine outruns the acks, so some go via the spool,
    # and once it is drained new documents are held in memory again
    publisher = BusPublisher(bus.url, instrument="scope-1", spool=tmp_path / "s", buffer_bytes=1000)
    async with publisher:
        await engine_with(publisher, record)(count([det], num=50))
    assert 0 < publisher.spooled < len(record.docs)
    messages = await stream_contents(bus.url)
    assert [doc["uid"] for _, _, doc in messages] == [doc["uid"] for _, doc in record.docs]


async def test_two_publishers_cannot_share_a_spool(bus: NatsServer, tmp_path: Path) -> None:
    async with BusPublisher(bus.url, instrument="scope-1", spool=tmp_path / "spool"):
        second = BusPublisher(bus.url, instrument="scope-2", spool=tmp_path / "spool")
        with pytest.raises(BusError, match="in use by another publisher"):
            await second.start()
        await second.close()

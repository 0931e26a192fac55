"""Subscribers: order, backpressure, threads, errors kept as text, and documents()."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import numpy as np
import pytest

from skyscope.engine import Engine, Msg
from skyscope.engine._doc_size import DOCUMENT_OVERHEAD, document_nbytes
from skyscope.exporters import (
    CSVExporter,
    JSONLExporter,
    MsgpackExporter,
    OMETiffExporter,
    OMEZarrExporter,
    RunHDF5Exporter,
)
from skyscope.plans import count


async def test_a_slow_subscriber_applies_backpressure_with_bounded_memory(det) -> None:
    engine = Engine(md={}, handle_sigint=False)
    received: list[str] = []
    waiting: list[int] = []

    async def slow(name: str, doc: Any) -> None:
        waiting.append(len(engine.dispatcher._subs[token].buffer))
        await asyncio.sleep(0.002)
        received.append(name)

    token = engine.subscribe(slow, buffer=3)
    fast: list[str] = []
    engine.subscribe(lambda name, doc: fast.append(name))
    await engine(count([det], 30))
    assert received == fast
    assert len(received) == 33
    assert max(waiting) <= 3  # never more than the bound waiting for the slow one


async def test_a_subscriber_that_raises_is_reported_not_fatal(det, caplog) -> None:
    engine = Engine(md={}, handle_sigint=False)

    def broken(name: str, doc: Any) -> None:
        if name == "event":
            raise ValueError("plotting failed")

    engine.subscribe(broken)
    result = await engine(count([det], 2))
    assert result.exit_status == "success"
    assert len(result.subscriber_errors) == 2
    assert result.subscriber_errors[0].error_type == "ValueError"
    assert result.subscriber_errors[0].message == "plotting failed"
    assert "plotting failed" in caplog.text


async def test_a_critical_subscriber_that_raises_fails_the_run(det) -> None:
    engine = Engine(md={}, handle_sigint=False, raise_on_fail=False)
    stops: list[Any] = []

    def writer(name: str, doc: Any) -> None:
        if name == "stop":
            stops.append(doc)
        elif name == "event":
            raise OSError("disk full")

    engine.subscribe(writer, critical=True)
    result = await engine(count([det], 50, delay=0.001))
    assert result.exit_status == "fail"
    assert "disk full" in result.reason
    assert stops
    assert stops[0]["exit_status"] == "fail"
    assert stops[0]["num_events"]["primary"] < 50


async def test_documents_async_iterator_streams_a_run(det) -> None:
    engine = Engine(md={}, handle_sigint=False)

    async def consume() -> list[str]:
        return [name async for name, _doc in engine.documents()]

    consumer = asyncio.create_task(consume())
    await asyncio.sleep(0)
    await engine(count([det], 2))
    assert await consumer == ["start", "descriptor", "event", "event", "stop"]


async def test_unsubscribe_stops_delivery(det) -> None:
    engine = Engine(md={}, handle_sigint=False)
    names: list[str] = []
    token = engine.subscribe(lambda name, doc: names.append(name))
    await engine(count([det]))
    engine.unsubscribe(token)
    await engine(count([det]))
    assert names.count("start") == 1
    with pytest.raises(KeyError):
        engine.unsubscribe(token)


async def test_a_thread_subscriber_gets_every_document_in_order_off_the_loop(det) -> None:
    engine = Engine(md={}, handle_sigint=False)
    on_thread: list[tuple[str, int]] = []
    on_loop: list[str] = []

    def writer(name: str, doc: Any) -> None:
        on_thread.append((name, threading.get_ident()))

    engine.subscribe(writer, thread=True, buffer=2)
    engine.subscribe(lambda name, doc: on_loop.append(name))
    await engine(count([det], 20))
    assert [name for name, _ in on_thread] == on_loop
    assert len(on_loop) == 23
    assert {ident for _, ident in on_thread} != {threading.get_ident()}


async def test_an_async_subscriber_cannot_ask_for_a_thread() -> None:
    engine = Engine(md={}, handle_sigint=False)

    async def plot(name: str, doc: Any) -> None:
        return None

    with pytest.raises(TypeError, match="is async: it runs on the event loop"):
        engine.subscribe(plot, thread=True)
    assert len(engine.dispatcher) == 0


@pytest.mark.parametrize(
    "exporter", [CSVExporter, JSONLExporter, MsgpackExporter, RunHDF5Exporter, OMETiffExporter]
)
async def test_file_exporters_run_on_their_own_thread(det, tmp_path, exporter) -> None:
    threads: list[int] = []

    class Watched(exporter):  # type: ignore[misc,valid-type]
        def __call__(self, name: str, doc: Any) -> None:
            threads.append(threading.get_ident())
            super().__call__(name, doc)

    engine = Engine(md={}, handle_sigint=False)
    engine.subscribe(Watched(tmp_path))
    result = await engine(count([det], 3))
    assert result.subscriber_errors == ()
    assert len(threads) == 6
    assert threading.get_ident() not in threads
    assert OMEZarrExporter.prefers_thread


async def test_unsubscribing_a_thread_subscriber_delivers_what_it_had(det) -> None:
    engine = Engine(md={}, handle_sigint=False)
    released = threading.Event()
    got: list[str] = []

    def held(name: str, doc: Any) -> None:
        released.wait(10)
        got.append(name)

    token = engine.subscribe(held, thread=True)
    seen: list[str] = []
    engine.subscribe(lambda name, doc: seen.append(name))

    async def plan() -> Any:
        yield Msg("open_run")
        for _ in range(3):
            yield Msg("create", name="primary")
            yield Msg("read", det)
            yield Msg("save")
        yield Msg("unsubscribe", None, token)
        released.set()
        yield Msg("close_run")

    await engine(plan())
    assert got == ["start", "descriptor", "event", "event", "event"]
    assert seen == [*got, "stop"]


async def test_an_error_on_the_stop_document_reaches_the_result(det) -> None:
    engine = Engine(md={}, handle_sigint=False)

    class CommitFailed(RuntimeError):
        pass

    def catalog(name: str, doc: Any) -> None:
        if name == "stop":
            raise CommitFailed("could not commit run")

    catalog.prefers_thread = True  # type: ignore[attr-defined]
    engine.subscribe(catalog)
    result = await engine(count([det], 2))
    [error] = result.subscriber_errors
    assert (error.document, error.error_type, error.message) == (
        "stop",
        "CommitFailed",
        "could not commit run",
    )
    assert result.problems == (
        f"subscriber {catalog.__qualname__} raised on stop document {error.uid}: "
        "CommitFailed: could not commit run",
    )


async def test_a_critical_thread_subscriber_that_raises_fails_the_run(det) -> None:
    engine = Engine(md={}, handle_sigint=False, raise_on_fail=False)

    def writer(name: str, doc: Any) -> None:
        if name == "event":
            raise OSError("disk full")

    engine.subscribe(writer, critical=True, thread=True)
    result = await engine(count([det], 200, delay=0.001))
    assert result.exit_status == "fail"
    assert "OSError: disk full" in result.reason
    assert result.subscriber_errors[0].critical


async def test_the_drain_timeout_detaches_a_subscriber_at_the_end_of_a_plan(det) -> None:
    engine = Engine(md={}, handle_sigint=False, subscriber_drain_timeout=0.2)
    released = threading.Event()

    def stuck(name: str, doc: Any) -> None:
        released.wait(10)

    engine.subscribe(stuck, thread=True)
    try:
        result = await engine(count([det], 2))
    finally:
        released.set()
    assert result.exit_status == "success"
    assert result.problems == (
        f"subscriber {stuck.__qualname__} did not finish within 0.2 s; detached; 4 documents "
        "it had not received were dropped",
    )


async def test_a_slow_subscriber_on_the_loop_is_named_in_a_warning(det, caplog) -> None:
    engine = Engine(md={}, handle_sigint=False)

    def slow(name: str, doc: Any) -> None:
        time.sleep(0.06)

    engine.subscribe(slow, thread=False)
    await engine(count([det], 1))
    warnings = [r for r in caplog.records if "held the event loop" in r.getMessage()]
    assert len(warnings) == 1
    assert "thread=True" in warnings[0].getMessage()


def test_a_document_is_measured_by_the_arrays_it_carries() -> None:
    frame = np.zeros((256, 256))
    event = {"uid": "u", "data": {"cam": frame, "x": 1.0}, "timestamps": {"cam": 1.0}}
    page = {"data": {"cam": [frame, frame], "x": [1.0, 2.0]}, "filled": {"cam": [True, True]}}
    assert document_nbytes("event", event) == DOCUMENT_OVERHEAD + frame.nbytes
    assert document_nbytes("event_page", page) == DOCUMENT_OVERHEAD + 2 * frame.nbytes
    assert document_nbytes("event", {**event, "data": {"raw": b"12345"}}) == DOCUMENT_OVERHEAD + 5
    assert document_nbytes("start", {"uid": "start", "data": {"cam": frame}}) == DOCUMENT_OVERHEAD


async def test_a_thread_subscriber_follows_a_run_across_a_pause(det) -> None:
    engine = Engine(md={}, handle_sigint=False)
    on_thread: list[str] = []
    on_loop: list[str] = []
    engine.subscribe(lambda name, doc: on_thread.append(name), thread=True)
    engine.subscribe(lambda name, doc: on_loop.append(name))
    task = asyncio.create_task(engine(count([det], 3, delay=0.2)))
    async with asyncio.timeout(5):
        while "event" not in on_loop:  # noqa: ASYNC110 - no event to wait on
            await asyncio.sleep(0.005)
    engine.request_pause()
    paused = await task
    assert paused.paused
    assert on_thread == on_loop  # the pause waited for the thread to take what was buffered
    result = await engine.resume()
    assert result.exit_status == "success"
    assert on_thread == on_loop
    assert on_loop.count("event") == 3


async def test_an_abort_while_pausing_is_not_held_by_a_hung_subscriber(det) -> None:
    engine = Engine(md={}, handle_sigint=False)
    released = threading.Event()
    seen: list[str] = []

    def hung(name: str, doc: Any) -> None:
        if name == "event":
            released.wait(10)

    engine.subscribe(hung, thread=True)
    engine.subscribe(lambda name, doc: seen.append(name))
    task = asyncio.create_task(engine(count([det], 3, delay=0.2)))
    try:
        async with asyncio.timeout(5):
            while "event" not in seen:  # noqa: ASYNC110 - no event to wait on
                await asyncio.sleep(0.005)
        engine.request_pause()  # the pause waits for the hung subscriber to drain...
        result = await engine.abort("operator")  # ...until the abort detaches it
    finally:
        released.set()
    assert await task is result
    assert result.exit_status == "abort"
    assert seen[-1] == "stop"
    [detached] = result.subscriber_errors
    assert detached.error_type == "Detached"

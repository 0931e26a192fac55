"""Subscribers: order, backpressure through bounded buffers, errors, and documents()."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from skyscope.engine import Engine
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
    assert isinstance(result.subscriber_errors[0].error, ValueError)
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

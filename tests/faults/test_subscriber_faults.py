"""Subscribers that hang, crawl, raise or fall behind never hang a run, stall the loop or hoard."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
import tracemalloc
from typing import Any

import pytest
from _fault_helpers import LoopStallMeter, until

from skyscope.engine import Engine, RunResult
from skyscope.plans import count

FRAME_NBYTES = 512 * 1024
BUFFER = 5
"""The hung subscriber's buffer, in documents: the engine waits once it holds this many."""


class Recorder:
    """A well-behaved subscriber on the loop: keeps every document's name and uid."""

    def __init__(self) -> None:
        self.docs: list[tuple[str, Any]] = []

    def __call__(self, name: str, doc: Any) -> None:
        self.docs.append((name, doc))

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.docs]


class HungAsync:
    """An async subscriber that takes its first document and never returns."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self._never = asyncio.Event()

    async def __call__(self, name: str, doc: Any) -> None:
        self.received.append(name)
        await self._never.wait()

    def release(self) -> None:
        """Nothing to release: the engine cancels it."""


class HungThread:
    """A synchronous subscriber (on its own thread) that takes its first document and blocks."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self._released = threading.Event()

    def __call__(self, name: str, doc: Any) -> None:
        self.received.append(name)
        self._released.wait(30)

    def release(self) -> None:
        """Let the abandoned thread end (it is a daemon, so it could not hold the exit anyway)."""
        self._released.set()


async def _end(engine: Engine, task: asyncio.Task[RunResult], how: str) -> RunResult:
    if how == "cancel":
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert engine.last_result is not None
        return engine.last_result
    result: RunResult = await getattr(engine, how)()
    assert await task is result
    return result


@pytest.mark.parametrize("kind", ["async", "thread"])
@pytest.mark.parametrize("how", ["abort", "halt", "stop", "cancel"])
async def test_a_hung_subscriber_cannot_hold_a_run_that_is_ended(det, how: str, kind: str) -> None:
    engine = Engine(md={}, handle_sigint=False, raise_on_fail=False)
    recorder = Recorder()
    hung = HungAsync() if kind == "async" else HungThread()
    engine.subscribe(recorder)
    engine.subscribe(hung, buffer=BUFFER, thread=kind == "thread")
    task = asyncio.create_task(engine(count([det], 10_000)))
    try:
        # the hung one took the start; its buffer then fills and the engine waits for it
        await until(lambda: len(recorder.docs) >= 1 + BUFFER)
        started = time.perf_counter()
        result = await _end(engine, task, how)
        elapsed = time.perf_counter() - started
    finally:
        hung.release()
    print(f"{how} with a hung {kind} subscriber ended the run in {elapsed:.3f} s")
    assert elapsed < 1.5
    assert engine.state == "idle"
    assert recorder.names.count("stop") == 1
    assert recorder.names[-1] == "stop"
    expected = {"abort": "abort", "halt": "abort", "stop": "success", "cancel": "abort"}[how]
    assert recorder.docs[-1][1]["exit_status"] == expected
    assert hung.received == ["start"]
    [detached] = result.subscriber_errors
    assert detached.subscriber == type(hung).__qualname__
    assert detached.error_type == "Detached"
    assert detached.message == (
        f"did not finish within 1.0 s; detached; {BUFFER} documents it had not received "
        "were dropped"
    )
    assert result.problems == (f"subscriber {type(hung).__qualname__} {detached.message}",)
    # detached for good: the next run goes to the others only
    again = await engine(count([det], 2))
    assert again.exit_status == "success"
    assert again.subscriber_errors == ()
    assert recorder.names[-5:] == ["start", "descriptor", "event", "event", "stop"]
    assert hung.received == ["start"]


async def test_a_slow_subscriber_on_its_thread_never_stalls_the_loop(det) -> None:
    engine = Engine(md={}, handle_sigint=False)
    slow_docs: list[tuple[str, str]] = []
    slow_threads: set[int] = set()

    def slow(name: str, doc: Any) -> None:
        slow_threads.add(threading.get_ident())
        time.sleep(0.05)
        slow_docs.append((name, doc["uid"]))

    fast_docs: list[tuple[str, str]] = []
    engine.subscribe(slow, thread=True)
    engine.subscribe(lambda name, doc: fast_docs.append((name, doc["uid"])))
    async with LoopStallMeter() as meter:
        result = await engine(count([det], 100))
    print(f"longest loop stall: {meter.longest * 1e3:.1f} ms over {meter.ticks} ticks")
    assert result.exit_status == "success"
    assert len(slow_docs) == 103  # start, descriptor, 100 events, stop
    assert slow_docs == fast_docs  # every document, in order
    assert len(slow_threads) == 1
    assert threading.get_ident() not in slow_threads
    assert meter.longest < 0.05  # the goal is <= 20 ms; loose for a shared 2-core machine


@pytest.mark.parametrize("thread", [False, True])
async def test_a_raising_subscriber_keeps_no_failed_document(camera, thread: bool) -> None:
    engine = Engine(md={}, handle_sigint=False)

    def plot(name: str, doc: Any) -> None:
        if name == "event":
            frame = doc["data"]["cam-value"]
            raise ValueError(f"cannot plot frame {doc['seq_num']} of {frame.nbytes} bytes")

    engine.subscribe(plot, thread=thread)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        result = await engine(count([camera], 500))
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    print(f"memory kept after 500 failed 512 KiB events: {kept / 2**20:.1f} MiB")
    assert result.exit_status == "success"
    assert len(result.subscriber_errors) == 500
    for seq_num, error in enumerate(result.subscriber_errors, start=1):
        assert (error.subscriber, error.document) == (plot.__qualname__, "event")
        assert error.error_type == "ValueError"
        assert error.message == f"cannot plot frame {seq_num} of {FRAME_NBYTES} bytes"
        assert error.uid is not None
        assert "Traceback" in error.traceback
        assert "raise ValueError" in error.traceback
    assert result.problems == (
        f"subscriber {plot.__qualname__} raised on event document "
        f"{result.subscriber_errors[0].uid}: ValueError: cannot plot frame 1 of "
        f"{FRAME_NBYTES} bytes (and 499 more like it)",
    )
    assert kept < 20 * 2**20  # 500 frames of 512 KiB kept would be 250 MiB


async def test_a_blocked_subscriber_buffers_at_most_its_byte_bound(camera) -> None:
    bound = 4 * 2**20  # room for 7 frames of 512 KiB and their documents, not 8
    engine = Engine(md={}, handle_sigint=False)
    released = threading.Event()
    blocked_docs: list[str] = []

    def blocked(name: str, doc: Any) -> None:
        released.wait(30)
        blocked_docs.append(name)

    token = engine.subscribe(blocked, thread=True, buffer_bytes=bound)
    others = Recorder()
    engine.subscribe(others)
    task = asyncio.create_task(engine(count([camera], 40)))
    try:
        # start was taken by the blocked subscriber; descriptor and 7 events wait in its buffer
        await until(lambda: len(others.docs) >= 2 + 7)
        most = 0
        for _ in range(200):  # the engine gets many turns of the loop, and emits nothing more
            most = max(most, engine.dispatcher.buffered_bytes_of(token))
            await asyncio.sleep(0)
        assert others.names == ["start", "descriptor"] + ["event"] * 7
        assert 7 * FRAME_NBYTES < most <= bound
        assert not task.done()
    finally:
        released.set()
    result = await task
    assert result.exit_status == "success"
    assert blocked_docs == others.names
    assert len(blocked_docs) == 2 + 40 + 1
    assert engine.dispatcher.buffered_bytes == 0

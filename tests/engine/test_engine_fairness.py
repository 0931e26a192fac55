"""The engine shares its loop: a plan whose messages never wait must not starve other tasks."""

from __future__ import annotations

import asyncio
import time

from skyscope.devices import SoftDetector
from skyscope.engine import Engine
from skyscope.plans import count


async def test_other_tasks_run_during_a_plan_that_never_waits() -> None:
    engine = Engine(md={}, handle_sigint=False)
    detector = SoftDetector("det")
    await detector.connect()
    ticks = 0
    longest = 0.0

    async def ticker() -> None:
        nonlocal ticks, longest
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0)
            now = time.perf_counter()
            longest, last, ticks = max(longest, now - last), now, ticks + 1

    task = asyncio.get_running_loop().create_task(ticker())
    await engine(count([detector], 5000))
    task.cancel()
    print(f"\nticker ran {ticks} times; longest gap {longest * 1000:.1f} ms")
    assert ticks > 50
    assert longest < 0.1  # about 2 ms of plan between yields; the machine may be busy


async def test_a_pause_from_another_task_takes_effect_in_a_tight_plan() -> None:
    engine = Engine(md={}, handle_sigint=False)
    detector = SoftDetector("det")
    await detector.connect()

    async def pause_soon() -> None:
        await asyncio.sleep(0.01)
        engine.request_pause(defer=False)

    pauser = asyncio.get_running_loop().create_task(pause_soon())
    result = await engine(count([detector], 10**7))  # would take minutes without the pause
    await pauser
    assert result.paused
    stopped = await engine.abort("done")
    assert stopped.exit_status == "abort"

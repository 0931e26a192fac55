"""Channel Access through skyscope signals versus raw aioca, on the same PVs of the test IOC.

Measures one get and one put-with-completion, each op timed alone, the two sides interleaved
in blocks so machine noise hits both alike. Prints medians (µs) and ratios; the last line is
JSON with ``speedup_get`` and ``speedup_put_wait`` (raw time / skyscope time: 1 = as fast as raw
aioca, the goal is >= 1/1.1).

    python benchmarks/bench_ca.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from collections.abc import Awaitable, Callable

from skyscope.devices.testing import IocOptions, TestIOC

Op = Callable[[int], Awaitable[object]]


async def _time_block(op: Op, count: int, samples: list[float]) -> None:
    for i in range(count):
        started = time.perf_counter()
        await op(i)
        samples.append(time.perf_counter() - started)


async def _compare(raw: Op, ours: Op, rounds: int, block: int) -> tuple[float, float]:
    raw_samples: list[float] = []
    our_samples: list[float] = []
    await _time_block(raw, block, [])  # warm up both paths (channels, caches)
    await _time_block(ours, block, [])
    for _ in range(rounds):
        await _time_block(raw, block, raw_samples)
        await _time_block(ours, block, our_samples)
    return statistics.median(raw_samples) * 1e6, statistics.median(our_samples) * 1e6


async def _run(ioc: TestIOC, rounds: int, block: int) -> dict[str, float]:
    import aioca

    from skyscope.devices.epics import epics_signal_rw, purge_channels

    pv = f"{ioc.motor_prefix('x')}.ACCL"
    signal = epics_signal_rw(float, pv, name="accl")
    await signal.connect(timeout=10)
    values = (0.05, 0.06)

    async def raw_get(i: int) -> object:
        return await aioca.caget(pv)

    async def our_get(i: int) -> object:
        return await signal.get_value()

    async def raw_put(i: int) -> object:
        return await aioca.caput(pv, values[i % 2], wait=True)

    async def our_put(i: int) -> object:
        return await signal.set(values[i % 2])

    try:
        get_raw, get_ours = await _compare(raw_get, our_get, rounds, block)
        put_raw, put_ours = await _compare(raw_put, our_put, rounds, block)
    finally:
        purge_channels()
    return {
        "get_raw_us": get_raw,
        "get_skyscope_us": get_ours,
        "put_wait_raw_us": put_raw,
        "put_wait_skyscope_us": put_ours,
        "speedup_get": get_raw / get_ours,
        "speedup_put_wait": put_raw / put_ours,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples (a few seconds)")
    args = parser.parse_args()
    rounds, block = (6, 50) if args.quick else (20, 100)
    ioc = TestIOC(IocOptions(prefix="BENCH:", motors=("x",), camera_prefix=""))
    os.environ.update(ioc.client_env)  # before the first aioca call: libca reads it once
    with ioc:
        figures = asyncio.run(_run(ioc, rounds, block))
    print(f"{'operation':<22}{'raw aioca (µs)':>16}{'skyscope (µs)':>16}{'speedup':>10}")
    for label, key in (("caget", "get"), ("caput(wait=True)", "put_wait")):
        raw, ours = figures[f"{key}_raw_us"], figures[f"{key}_skyscope_us"]
        print(f"{label:<22}{raw:>16.1f}{ours:>16.1f}{figures['speedup_' + key]:>10.3f}")
    print(json.dumps({key: round(value, 4) for key, value in figures.items()}))


if __name__ == "__main__":
    main()

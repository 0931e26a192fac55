"""WatchableStatus: progress updates reach watchers as bluesky's keyword arguments."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from skyscope.devices import StatusCancelledError, WatchableStatus, WatcherUpdate

WATCHER_KEYS = {
    "name",
    "current",
    "initial",
    "target",
    "unit",
    "precision",
    "fraction",
    "time_elapsed",
    "time_remaining",
}


async def _ramp(steps: int, delay: float = 0.0) -> AsyncIterator[WatcherUpdate[float]]:
    for step in range(steps + 1):
        fraction = step / steps
        yield WatcherUpdate(
            current=10.0 * fraction,
            initial=0.0,
            target=10.0,
            unit="mm",
            precision=2,
            fraction=fraction,
            time_elapsed=step * delay,
            time_remaining=(steps - step) * delay,
        )
        await asyncio.sleep(delay)


async def test_watchers_get_every_update_with_fraction_rising_to_one() -> None:
    updates: list[dict[str, Any]] = []
    status: WatchableStatus[float] = WatchableStatus(_ramp(4), name="scope-z", action="set(10)")
    status.watch(lambda **kwargs: updates.append(kwargs))
    await status
    assert [u["fraction"] for u in updates] == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert all(set(u) == WATCHER_KEYS for u in updates)
    assert {u["name"] for u in updates} == {"scope-z"}  # filled from the status
    assert updates[-1]["current"] == updates[-1]["target"] == 10.0
    assert status.success


async def test_a_late_watcher_gets_the_latest_update_at_once() -> None:
    status: WatchableStatus[float] = WatchableStatus(_ramp(2), name="m")
    await status
    late: list[dict[str, Any]] = []
    status.watch(lambda **kwargs: late.append(kwargs))
    assert [u["fraction"] for u in late] == [1.0]
    assert status.last_update is not None
    assert status.last_update.current == 10.0


async def test_cancelling_mid_way_fails_with_the_reason_and_stops_updates() -> None:
    fractions: list[float] = []
    status: WatchableStatus[float] = WatchableStatus(_ramp(100, delay=0.01), name="m")
    status.watch(lambda **kwargs: fractions.append(kwargs["fraction"]))
    await asyncio.sleep(0.03)
    status.cancel("stopped by the operator")
    with pytest.raises(StatusCancelledError, match="m: operation failed: stopped by the operator"):
        await status
    seen = len(fractions)
    assert 0 < seen < 101
    await asyncio.sleep(0.02)
    assert len(fractions) == seen


async def test_finished_at_is_done_with_one_update_and_no_task() -> None:
    update = WatcherUpdate(current=1.0, initial=0.0, target=1.0, fraction=1.0)
    status = WatchableStatus.finished_at(update, name="m", action="set(1)")
    assert status.done
    assert status.success
    seen: list[dict[str, Any]] = []
    status.watch(lambda **kwargs: seen.append(kwargs))
    assert seen[0]["name"] == "m"
    assert seen[0]["fraction"] == 1.0


async def test_finished_at_makes_a_deferred_update_once_when_first_asked() -> None:
    made: list[int] = []

    def make() -> WatcherUpdate[float]:
        made.append(1)
        return WatcherUpdate(current=2.0, initial=0.0, target=2.0, fraction=1.0)

    status = WatchableStatus.finished_at(make, name="m", action="set(2)")
    assert status.success
    assert made == []  # nobody asked yet: never made
    seen: list[dict[str, Any]] = []
    status.watch(lambda **kwargs: seen.append(kwargs))
    status.watch(lambda **kwargs: seen.append(kwargs))
    assert made == [1]
    assert [s["current"] for s in seen] == [2.0, 2.0]
    assert seen[0]["name"] == "m"
    last = status.last_update
    assert last is not None
    assert last.target == 2.0


async def test_wrap_updates_turns_a_generator_method_into_a_watchable_status() -> None:
    class Heater:
        name = "heater"

        @WatchableStatus.wrap_updates
        async def warm_to(self, target: float) -> AsyncIterator[WatcherUpdate[float]]:
            for current in (20.0, target):
                yield WatcherUpdate(current=current, initial=20.0, target=target)

    status = Heater().warm_to(37.0)
    assert isinstance(status, WatchableStatus)
    assert status.action == "warm_to(37.0)"
    await status
    assert status.last_update is not None
    assert status.last_update.current == 37.0

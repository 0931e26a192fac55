"""Suspender conditions, one table: value sequences and when each holds or lets go."""

from __future__ import annotations

from typing import Any

import pytest

from skyscope.devices import soft_signal_rw
from skyscope.engine import (
    SuspendBoolHigh,
    SuspendBoolLow,
    SuspendCeil,
    Suspender,
    SuspendFloor,
    SuspendInBand,
    SuspendOutOfBand,
)

CASES: list[tuple[str, Any, list[Any], list[bool]]] = [
    ("bool high", lambda s: SuspendBoolHigh(s), [0, 1, 1, 0], [False, True, True, False]),
    ("bool low", lambda s: SuspendBoolLow(s), [1, 0, 1], [False, True, False]),
    (
        "floor with hysteresis",
        lambda s: SuspendFloor(s, 10.0, resume_at=12.0),
        [15.0, 9.0, 11.0, 12.5],
        [False, True, True, False],
    ),
    (
        "ceiling with hysteresis",
        lambda s: SuspendCeil(s, 30.0, resume_at=25.0),
        [20.0, 31.0, 28.0, 24.0],
        [False, True, True, False],
    ),
    ("out of band", lambda s: SuspendOutOfBand(s, 1, 2), [1.5, 3.0, 1.0], [False, True, False]),
    ("in band", lambda s: SuspendInBand(s, 1, 2), [0.0, 1.5, 2.5], [False, True, False]),
]


@pytest.mark.parametrize(
    ("make", "values", "tripped"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
async def test_suspender_conditions(make: Any, values: list[Any], tripped: list[bool]) -> None:
    signal = soft_signal_rw(float, float(values[0]), name="watched")
    await signal.connect()
    trips: list[Suspender] = []
    suspender = make(signal)
    suspender.install(trips.append)  # the current value is the first one seen
    seen = [suspender.tripped]
    for value in values[1:]:
        await signal.set(value)
        seen.append(suspender.tripped)
    suspender.remove()
    assert seen == tripped
    assert len(trips) == sum(
        1 for a, b in zip([False, *tripped], tripped, strict=False) if b and not a
    )


def test_bad_suspender_settings_are_refused() -> None:
    signal = soft_signal_rw(float, 0.0, name="watched")
    with pytest.raises(ValueError, match="resume_at"):
        SuspendFloor(signal, 10.0, resume_at=5.0)
    with pytest.raises(ValueError, match="band low"):
        SuspendOutOfBand(signal, 3, 1)
    with pytest.raises(ValueError, match="sleep"):
        SuspendBoolHigh(signal, sleep=-1)


async def test_request_suspend_holds_the_plan_until_its_awaitable_completes(engine) -> None:
    """bluesky's request_suspend: rest, run the pre-plan, wait, then rewind to the checkpoint."""
    import asyncio

    from skyscope.engine import Msg

    released, held = asyncio.Event(), asyncio.Event()
    seen: list[str] = []

    def hook(msg: Any) -> None:
        seen.append(msg.command)
        if msg.obj == "pre":
            held.set()

    engine.msg_hook = hook

    def plan() -> Any:
        yield Msg("open_run")
        yield Msg("checkpoint")
        yield Msg("null")
        engine.request_suspend(released.wait, pre_plan=[Msg("null", "pre")])
        yield Msg("sleep", None, 0)
        yield Msg("close_run")

    running = asyncio.ensure_future(engine(plan()))
    await held.wait()
    assert engine.state.value == "suspended"
    assert not running.done()
    released.set()
    result = await running
    assert result.exit_status == "success"
    after_hold = seen[seen.index("null", seen.index("null") + 1) + 1 :]
    assert "null" in after_hold  # replayed from the checkpoint once released
    assert engine.suspenders == ()  # the one-off hold is gone

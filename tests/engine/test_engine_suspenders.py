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

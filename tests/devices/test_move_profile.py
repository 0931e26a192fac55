"""The trapezoidal move profile used by SoftMotor: pure arithmetic."""

from __future__ import annotations

import math

import pytest

from skyscope.devices._profile import MoveProfile


def test_constant_velocity_without_acceleration() -> None:
    profile = MoveProfile(distance=2.0, velocity=4.0, acceleration=math.inf)
    assert profile.duration == 0.5
    assert profile.travelled(0.25) == 1.0
    assert profile.travelled(1.0) == 2.0


def test_trapezoid_ramps_up_cruises_and_ramps_down() -> None:
    profile = MoveProfile(distance=10.0, velocity=2.0, acceleration=1.0)
    # 2 s ramps of 2 units each, then 6 units at 2 units/s.
    assert profile.duration == pytest.approx(7.0)
    assert profile.travelled(1.0) == pytest.approx(0.5)
    assert profile.travelled(2.0) == pytest.approx(2.0)
    assert profile.travelled(3.5) == pytest.approx(5.0)
    assert profile.travelled(6.0) == pytest.approx(9.5)


def test_short_move_never_reaches_full_speed() -> None:
    profile = MoveProfile(distance=-1.0, velocity=10.0, acceleration=1.0)
    assert profile.duration == pytest.approx(2.0)
    assert profile.travelled(1.0) == pytest.approx(-0.5)
    assert profile.travelled(2.0) == -1.0


@pytest.mark.parametrize(("distance", "velocity"), [(0.0, 1.0), (1.0, 0.0), (1.0, math.inf)])
def test_instant_moves(distance: float, velocity: float) -> None:
    profile = MoveProfile(distance, velocity, math.inf)
    assert profile.instant
    assert profile.duration == 0.0
    assert profile.travelled(0.0) == distance


def test_before_the_start_nothing_has_moved() -> None:
    assert MoveProfile(1.0, 1.0, 1.0).travelled(-1.0) == 0.0

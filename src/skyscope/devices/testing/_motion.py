"""The motion of the simulated motor: a trapezoidal velocity profile stepped in real time."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """Where the axis is after one time step, and how fast it is going."""

    position: float
    speed: float


def advance(
    position: float, target: float, speed: float, *, velocity: float, accel_time: float, dt: float
) -> Step:
    """Move toward ``target`` for ``dt`` seconds, stopping exactly there.

    The axis accelerates over ``accel_time`` to ``velocity`` and decelerates in time to stop.
    """
    remaining = abs(target - position)
    if remaining == 0.0:
        return Step(target, 0.0)
    acceleration = velocity / accel_time if accel_time > 0 else math.inf
    speed = min(velocity, speed + acceleration * dt, math.sqrt(2.0 * acceleration * remaining))
    travel = speed * dt
    if travel >= remaining:
        return Step(target, 0.0)
    return Step(position + math.copysign(travel, target - position), speed)


def limits_violation(target: float, low: float, high: float) -> str | None:
    """Say why ``target`` is outside the soft limits ``[low, high]``; ``None`` if it is not.

    As in the motor record, equal limits mean no limits.
    """
    if low == high or low <= target <= high:
        return None
    return f"target {target} is outside the soft limits [{low}, {high}] (LLM, HLM)"

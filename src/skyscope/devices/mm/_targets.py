"""Checking a stage target against the limits skyscope keeps for it, before anything moves.

Micro-Manager has no standard stage limits, so each axis carries ``low_limit`` and
``high_limit`` signals (infinite unless the builder or the user sets them); a target outside
them is refused with a ``LimitsError`` and the stage is never asked to move.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from .._errors import LimitsError


def check_target(value: Any, low: float, high: float, axis: str) -> float:
    """Return ``value`` as a float if it is a number within ``[low, high]``; else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{axis} target must be a number of µm, got {value!r}")
    target = float(value)
    if not math.isfinite(target):
        raise ValueError(f"{axis} target must be finite, got {target}")
    if not low <= target <= high:
        raise LimitsError(
            f"{axis} target {target} µm is outside the limits [{low}, {high}]; not moving"
        )
    return target


def bound(limit: float | None, unbounded: float) -> float:
    """Return ``limit``, or ``unbounded`` (±inf) when there is none."""
    return unbounded if limit is None else float(limit)

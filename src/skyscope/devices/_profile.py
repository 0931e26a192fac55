"""Where a simulated axis is during a move: a trapezoidal velocity profile, pure arithmetic."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MoveProfile:
    """A move of ``distance`` at up to ``velocity``, ramping at ``acceleration`` (units/s²).

    Velocity 0 or infinite means an instant move; acceleration 0 or infinite means the axis
    reaches full speed at once.
    """

    distance: float
    velocity: float
    acceleration: float

    @property
    def instant(self) -> bool:
        """Whether the move takes no time at all."""
        return self.distance == 0 or self.velocity in (0.0, math.inf)

    @property
    def _ramped(self) -> bool:
        return self.acceleration not in (0.0, math.inf)

    @property
    def _peak_velocity(self) -> float:
        """The top speed reached: full velocity, or less when the move is too short to get there."""
        if not self._ramped:
            return abs(self.velocity)
        return min(abs(self.velocity), math.sqrt(abs(self.distance) * self.acceleration))

    @property
    def duration(self) -> float:
        """How long the move takes, in seconds."""
        if self.instant:
            return 0.0
        peak = self._peak_velocity
        if not self._ramped:
            return abs(self.distance) / peak
        ramp_time = peak / self.acceleration
        ramp_distance = peak * ramp_time  # both ramps together
        return 2 * ramp_time + (abs(self.distance) - ramp_distance) / peak

    def travelled(self, elapsed: float) -> float:
        """Return the signed distance covered ``elapsed`` seconds after the start."""
        total = self.duration
        if elapsed >= total or self.instant:
            return self.distance
        if elapsed <= 0:
            return 0.0
        return math.copysign(self._covered(elapsed, total), self.distance)

    def _covered(self, elapsed: float, total: float) -> float:
        peak = self._peak_velocity
        if not self._ramped:
            return peak * elapsed
        accel = self.acceleration
        ramp_time = peak / accel
        if elapsed < ramp_time:
            return 0.5 * accel * elapsed**2
        remaining = total - elapsed
        if remaining < ramp_time:
            return abs(self.distance) - 0.5 * accel * remaining**2
        return 0.5 * peak * ramp_time + peak * (elapsed - ramp_time)

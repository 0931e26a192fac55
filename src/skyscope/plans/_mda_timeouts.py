"""How long each move and exposure of an MDA may take before the engine gives up on it.

A hung stage or camera must fail the run, not stall it forever, yet a slow but healthy move
must never be cut short. So the limits are generous: a move may take ``MOVE_FACTOR`` times
its travel time at the axis's velocity (read once, before the run) plus a floor, and a frame
``FRAME_FACTOR`` times its exposure and readout plus a margin.
"""

from __future__ import annotations

import math
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

from ..engine import Msg, Return
from ._scope_protocol import MicroscopeLike

MOVE_FLOOR_S = 10.0
"""Every move may take at least this long."""
MOVE_FACTOR = 3.0
"""A move may take this many times its travel (and settle) time."""
UNKNOWN_MOVE_S = 300.0
"""The limit of a move whose axis does not say how fast it goes."""
FRAME_FACTOR = 2.0
"""A frame may take this many times its exposure and readout."""
FRAME_MARGIN_S = 10.0
"""Added to every frame's (or burst's) limit."""


@dataclass(frozen=True)
class Speed:
    """How fast an axis goes (units/s; inf: instantly; None: unknown) and how long it settles."""

    per_s: float | None = None
    settle_s: float = 0.0

    def limit(self, distance: float) -> float:
        """The time limit of a move over ``distance``."""
        if self.per_s is None or self.per_s <= 0:
            return UNKNOWN_MOVE_S
        travel = 0.0 if math.isinf(self.per_s) else abs(distance) / self.per_s
        return MOVE_FLOOR_S + MOVE_FACTOR * (travel + self.settle_s)


@dataclass(frozen=True)
class Timeouts:
    """The MDA's time limits for this microscope."""

    x: Speed
    y: Speed
    z: Speed
    wheel_s: float | None
    """The longest channel switch (all slots), None if unknown."""
    readout_s: float
    """The camera's readout time: its frame period beyond the exposure."""

    def xy(self, start: tuple[float, float], target: tuple[float, float]) -> float:
        """The limit of an XY move (both axes move at once)."""
        return max(self.x.limit(target[0] - start[0]), self.y.limit(target[1] - start[1]))

    def focus(self, start: float, target: float) -> float:
        """The limit of a focus move."""
        return self.z.limit(target - start)

    def channel(self) -> float:
        """The limit of a channel switch."""
        if self.wheel_s is None:
            return UNKNOWN_MOVE_S
        return MOVE_FLOOR_S + MOVE_FACTOR * self.wheel_s

    def setting(self) -> float:
        """The limit of a camera setting (e.g. the exposure time) taking effect."""
        return MOVE_FLOOR_S

    def frames(self, exposure_s: float, count: int = 1) -> float:
        """The limit of ``count`` frames of ``exposure_s`` each."""
        return FRAME_FACTOR * count * (max(exposure_s, 0.0) + self.readout_s) + FRAME_MARGIN_S


async def measure_timeouts(scope: MicroscopeLike) -> AsyncGenerator[Any, Any]:
    """Read the axes' velocities and settle times and the camera's readout, once, before a run.

    A plan: every value is read with a ``read`` message (a dry run reads nothing: unknown).
    """
    xy: Any = scope.xy
    exposure = yield read_value(scope.camera.exposure)
    period = yield read_value(getattr(scope.camera, "acquire_period", None))
    x = yield _speed(getattr(xy, "x", None))
    y = yield _speed(getattr(xy, "y", None))
    z = yield _speed(scope.focus)
    wheel = yield _wheel_time(scope.filter_wheel)
    readout = max((period or 0.0) - (exposure or 0.0), 0.0)
    yield Return(Timeouts(x=x, y=y, z=z, wheel_s=wheel, readout_s=readout))


async def _speed(axis: Any) -> AsyncGenerator[Any, Any]:
    if axis is None:
        yield Return(Speed())
        return
    velocity = yield read_value(getattr(axis, "velocity", None))
    settle = yield read_value(getattr(axis, "settle_time", None))
    yield Return(Speed(velocity, settle or 0.0))


async def _wheel_time(wheel: Any) -> AsyncGenerator[Any, Any]:
    per_slot = yield read_value(getattr(wheel, "switch_time", None))
    if per_slot is None:
        yield Return(None)
        return
    yield Return(per_slot * max(len(getattr(wheel, "positions", ())) - 1, 1))


async def read_value(signal: Any) -> AsyncGenerator[Any, Any]:
    """A signal's value as a float, or None if there is no such signal or it is no number.

    A plan (bluesky's ``rd``): the value comes from a ``read`` message.
    """
    if signal is None or getattr(signal, "read", None) is None:
        yield Return(None)
        return
    reading = yield Msg("read", signal)
    values = [r.get("value") for r in (reading or {}).values() if isinstance(r, dict)]
    value = values[0] if values else None
    if isinstance(value, int | float) and not isinstance(value, bool) and not math.isnan(value):
        yield Return(float(value))
    else:
        yield Return(None)

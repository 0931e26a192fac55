"""The demo focus stage and XY stage: instant by default, or travelling at a set speed.

With ``speed_um_per_s`` the stage is busy while it travels (``deviceBusy``), its position moves
along the way, and ``stop()`` halts it where it is: what skyscope's progress and stop need.
Each keeps the targets it was sent (``targets``), so a test can tell a refused move never came.
Arrivals and stops are announced with the core's ``stagePositionChanged`` events, as device
adapters do.
"""

from __future__ import annotations

import math
import threading
import time

from pymmcore_plus.experimental.unicore import StageDevice, XYStageDevice

from ._world import SHARED_WORLD, DemoWorld

XY = tuple[float, float]


class _Travel:
    """A straight move from ``start`` to ``end`` at ``speed`` µm/s, started now."""

    def __init__(self, start: XY, end: XY, speed: float) -> None:
        self.start, self.end = start, end
        distance = math.dist(start, end)
        self.duration = distance / speed if speed > 0 and math.isfinite(speed) else 0.0
        self.began = time.monotonic()

    def at(self) -> XY:
        """Where the move is now."""
        if self.duration <= 0:
            return self.end
        done = min(1.0, (time.monotonic() - self.began) / self.duration)
        return (
            self.start[0] + done * (self.end[0] - self.start[0]),
            self.start[1] + done * (self.end[1] - self.start[1]),
        )

    def busy(self) -> bool:
        """Whether the move is still under way."""
        return time.monotonic() - self.began < self.duration


class _Axes:
    """Position-keeping for a one- or two-axis demo stage."""

    def __init__(self, position: XY, speed: float) -> None:
        self._lock = threading.Lock()
        self._travel = _Travel(position, position, 0.0)
        self.speed = speed
        self.targets: list[XY] = []

    def go(self, target: XY) -> None:
        with self._lock:
            self.targets.append(target)
            self._travel = _Travel(self._travel.at(), target, self.speed)

    def where(self) -> XY:
        with self._lock:
            return self._travel.at()

    def busy(self) -> bool:
        with self._lock:
            return self._travel.busy()

    def halt(self) -> XY:
        with self._lock:
            here = self._travel.at()
            self._travel = _Travel(here, here, 0.0)
            return here


class DemoFocusStage(StageDevice):
    """The demo Z drive (µm); moves the world's ``z_um``."""

    def __init__(self, world: DemoWorld | None = None, *, speed_um_per_s: float = 0.0) -> None:
        """Drive ``world``'s focus; ``speed_um_per_s`` 0 moves instantly."""
        super().__init__()
        self.world = world if world is not None else SHARED_WORLD
        self._axes = _Axes((self.world.z_um, 0.0), speed_um_per_s)

    @property
    def targets(self) -> list[float]:
        """Every target the stage was sent, in order."""
        return [target[0] for target in self._axes.targets]

    def set_position_um(self, val: float) -> None:
        """Start moving to ``val``."""
        self._axes.go((float(val), 0.0))
        self.world.z_um = self._axes.where()[0]
        if not self._axes.busy():
            self.core.events.stagePositionChanged.emit(self.get_label(), float(val))

    def get_position_um(self) -> float:
        """Where the stage is now (and so where the world's focus is)."""
        z = self._axes.where()[0]
        self.world.z_um = z
        return z

    def busy(self) -> bool:
        """Whether the stage is travelling."""
        busy = self._axes.busy()
        self.world.z_um = self._axes.where()[0]
        return busy

    def home(self) -> None:
        """Go to 0."""
        self.set_position_um(0.0)

    def stop(self) -> None:
        """Halt where the stage is."""
        z = self._axes.halt()[0]
        self.world.z_um = z
        self.core.events.stagePositionChanged.emit(self.get_label(), z)

    def set_origin(self) -> None:
        """Not supported by the demo stage."""
        raise NotImplementedError("the demo focus stage has no settable origin")


class DemoXYStage(XYStageDevice):
    """The demo XY stage (µm); moves the world's ``x_um`` and ``y_um``."""

    def __init__(self, world: DemoWorld | None = None, *, speed_um_per_s: float = 0.0) -> None:
        """Drive ``world``'s stage; ``speed_um_per_s`` 0 moves instantly."""
        super().__init__()
        self.world = world if world is not None else SHARED_WORLD
        self._axes = _Axes((self.world.x_um, self.world.y_um), speed_um_per_s)

    @property
    def targets(self) -> list[XY]:
        """Every target the stage was sent, in order."""
        return list(self._axes.targets)

    def set_position_um(self, x: float, y: float) -> None:
        """Start moving to ``(x, y)``."""
        self._axes.go((float(x), float(y)))
        self.world.x_um, self.world.y_um = self._axes.where()
        if not self._axes.busy():
            self.core.events.XYStagePositionChanged.emit(self.get_label(), float(x), float(y))

    def get_position_um(self) -> tuple[float, float]:
        """Where the stage is now (and so where the world's stage is)."""
        x, y = self._axes.where()
        self.world.x_um, self.world.y_um = x, y
        return x, y

    def busy(self) -> bool:
        """Whether the stage is travelling."""
        busy = self._axes.busy()
        self.get_position_um()
        return busy

    def home(self) -> None:
        """Go to (0, 0)."""
        self.set_position_um(0.0, 0.0)

    def stop(self) -> None:
        """Halt where the stage is."""
        x, y = self._axes.halt()
        self.world.x_um, self.world.y_um = x, y
        self.core.events.XYStagePositionChanged.emit(self.get_label(), x, y)

    def set_origin_x(self) -> None:
        """Not supported by the demo stage."""
        raise NotImplementedError("the demo XY stage has no settable origin")

    def set_origin_y(self) -> None:
        """Not supported by the demo stage."""
        raise NotImplementedError("the demo XY stage has no settable origin")

"""The demo filter wheel, objective turret and shutter: state devices telling the world.

Each can take ``switch_s`` seconds to change (busy meanwhile), like a real wheel; 0 by default.
"""

from __future__ import annotations

import time

from pymmcore_plus.experimental.unicore import ShutterDevice, StateDevice

from ._world import SHARED_WORLD, DemoWorld

FILTERS = ("DAPI", "FITC", "TRITC", "Cy5")
OBJECTIVES = ("10x", "40x")


class _Switching:
    """Busy for ``switch_s`` after each change."""

    def __init__(self, switch_s: float) -> None:
        self.switch_s = switch_s
        self._until = 0.0

    def changed(self) -> None:
        self._until = time.monotonic() + self.switch_s

    def busy(self) -> bool:
        return time.monotonic() < self._until


class DemoFilterWheel(StateDevice):
    """A four-position filter wheel; its state is the world's ``channel``."""

    def __init__(self, world: DemoWorld | None = None, *, switch_s: float = 0.0) -> None:
        """Hold the filters of ``FILTERS`` (in the shared world by default)."""
        super().__init__(dict(enumerate(FILTERS)))
        self.world = world if world is not None else SHARED_WORLD
        self._switching = _Switching(switch_s)

    def get_state(self) -> int:
        """The filter in the light path."""
        return self.world.channel

    def set_state(self, position: int) -> None:
        """Turn to filter ``position``."""
        self.world.channel = int(position)
        self._switching.changed()

    def busy(self) -> bool:
        """Whether the wheel is still turning."""
        return self._switching.busy()


class DemoObjectiveTurret(StateDevice):
    """A two-objective nosepiece; its state is the world's ``objective``."""

    def __init__(self, world: DemoWorld | None = None, *, switch_s: float = 0.0) -> None:
        """Hold the objectives of ``OBJECTIVES``."""
        super().__init__(dict(enumerate(OBJECTIVES)))
        self.world = world if world is not None else SHARED_WORLD
        self._switching = _Switching(switch_s)

    def get_state(self) -> int:
        """The objective in use."""
        return self.world.objective

    def set_state(self, position: int) -> None:
        """Turn to objective ``position``."""
        self.world.objective = int(position)
        self._switching.changed()

    def busy(self) -> bool:
        """Whether the turret is still turning."""
        return self._switching.busy()


class DemoShutter(ShutterDevice):
    """An excitation shutter that remembers how often it opened."""

    def __init__(self) -> None:
        """Start closed."""
        super().__init__()
        self._open = False
        self.openings = 0

    def get_open(self) -> bool:
        """Whether the shutter is open."""
        return self._open

    def set_open(self, open: bool) -> None:
        """Open or close."""
        if open and not self._open:
            self.openings += 1
        self._open = bool(open)

"""useq's ``keep_shutter_open_across``: light on the sample only while frames are taken.

A sequence naming axes to keep the shutter open across asks for shutter control: the MDA
opens the microscope's shutter before each frame (or burst, or autofocus) and closes it after,
unless useq marked the event ``keep_shutter_open`` (the next event changes only those axes).
At the end the shutter returns to the state the run found it in. Without such axes the MDA
leaves the shutter alone (to the microscope's own auto-shutter, if it has one).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..engine import Msg

if TYPE_CHECKING:
    from useq import MDAEvent, MDASequence

_OPEN = "open"
_CLOSED = "closed"


@dataclass
class ShutterControl:
    """Opens and closes ``shutter`` around frames; does nothing when ``shutter`` is None."""

    shutter: Any = None
    timeout: float | None = None
    found: str | None = None
    """The shutter's state when the run started."""
    state: str | None = None
    """The state last asked for (or found)."""

    async def start(self) -> AsyncGenerator[Any, Any]:
        """Note the shutter's state, to know what to change and what to restore."""
        if self.shutter is None:
            return
        where = yield Msg("locate", self.shutter)
        self.found = self.state = _state(where["readback"])

    async def open(self) -> AsyncGenerator[Any, Any]:
        """Open the shutter for a frame, unless it is open already."""
        yield self._switch(_OPEN)

    async def after(self, event: MDAEvent) -> AsyncGenerator[Any, Any]:
        """Close the shutter after ``event``'s frame unless the event keeps it open."""
        if not event.keep_shutter_open:
            yield self._switch(_CLOSED)

    async def restore(self) -> AsyncGenerator[Any, Any]:
        """Put the shutter back as the run found it."""
        if self.found is not None:
            yield self._switch(self.found)

    async def _switch(self, state: str) -> AsyncGenerator[Any, Any]:
        if self.shutter is None or self.state == state:
            return
        yield Msg("set", self.shutter, state, group="mda-shutter", timeout=self.timeout)
        yield Msg("wait", None, group="mda-shutter")
        self.state = state


def shutter_control(
    scope: Any, sequence: MDASequence, timeout: float | None = None
) -> ShutterControl:
    """Control ``scope.shutter`` when ``sequence`` names axes to keep it open across."""
    shutter = getattr(scope, "shutter", None)
    if not sequence.keep_shutter_open_across or shutter is None:
        return ShutterControl()
    return ShutterControl(shutter, timeout)


def _state(readback: Any) -> str:
    """``"open"`` or ``"closed"`` from a shutter's readback (a position name or a flag)."""
    if isinstance(readback, str):
        return _OPEN if readback.lower() == _OPEN else _CLOSED
    return _OPEN if bool(readback) else _CLOSED

"""useq's ``keep_shutter_open_across``: light on the sample only while frames are taken.

A sequence naming axes to keep the shutter open across asks for shutter control: the MDA
opens the microscope's shutter before each frame (or burst, or autofocus) and closes it after,
unless useq marked the event ``keep_shutter_open`` (the next event changes only those axes).
A shutter with an ``auto_shutter`` switch (Micro-Manager's: the core opens and closes it around
every snap, which would close it between the frames of a kept-open span) has it turned off
while the MDA holds the shutter. At the end the shutter, then its auto-shutter, return to the
state the run found them in. Without such axes the MDA leaves the shutter alone.
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
    auto_found: bool | None = None
    """The auto-shutter's state when the run started, while the MDA holds it off."""

    async def start(self) -> AsyncGenerator[Any, Any]:
        """Note the shutter's state (to know what to change and restore); hold auto-shutter off."""
        if self.shutter is None:
            return
        where = yield Msg("locate", self.shutter)
        self.found = self.state = _state(where["readback"])
        auto = getattr(self.shutter, "auto_shutter", None)
        if auto is None:
            return
        reading = yield Msg("read", auto)
        self.auto_found = bool(next(iter(reading.values()))["value"])
        if self.auto_found:
            yield _set(auto, False, self.timeout)

    async def open(self) -> AsyncGenerator[Any, Any]:
        """Open the shutter for a frame, unless it is open already."""
        yield self._switch(_OPEN)

    async def after(self, event: MDAEvent) -> AsyncGenerator[Any, Any]:
        """Close the shutter after ``event``'s frame unless the event keeps it open."""
        if not event.keep_shutter_open:
            yield self._switch(_CLOSED)

    async def restore(self) -> AsyncGenerator[Any, Any]:
        """Put the shutter back as the run found it, then its auto-shutter (once)."""
        if self.found is not None:
            yield self._switch(self.found)
        if self.auto_found:
            self.auto_found = None
            yield _set(self.shutter.auto_shutter, True, self.timeout)

    async def _switch(self, state: str) -> AsyncGenerator[Any, Any]:
        if self.shutter is None or self.state == state:
            return
        yield _set(self.shutter, state, self.timeout)
        self.state = state


async def _set(obj: Any, value: Any, timeout: float | None) -> AsyncGenerator[Any, Any]:
    yield Msg("set", obj, value, group="mda-shutter", timeout=timeout)
    yield Msg("wait", None, group="mda-shutter")


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

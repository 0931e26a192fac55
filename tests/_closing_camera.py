"""A camera whose ``unstage`` fails a running trigger: stopping mid-exposure, made certain.

The simulated camera fails a trigger that outlives its ``unstage`` only after the unstage has
returned, so whether that failure reaches the plan is a race (the live view's 2 in 15); this one
waits in ``unstage`` for the trigger it failed, so the failure always lands in the plan's cleanup.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from skyscope.devices import Status, soft_signal_rw
from skyscope.documents import DataKey, Reading

EXPOSURE_S = 0.3


class ClosingCamera:
    """A camera whose ``unstage`` closes its file under a running exposure, failing the trigger."""

    def __init__(self) -> None:
        self.name = "cam"
        self.parent = None
        self.staged = False
        self.writer: Any = None  # where frames go, for plans that check (the live view's tap)
        self.exposure = soft_signal_rw(float, EXPOSURE_S, name="cam-exposure")
        self.log: list[str] = []
        self._exposing: Status[None] | None = None

    def stage(self) -> Status[None]:
        """Open the file."""
        self.staged = True
        return Status.succeeded(None, name=self.name, action="stage()")

    def unstage(self) -> Status[None]:
        """Close the file; a frame on its way to it fails, and unstage waits for that."""
        return Status(self._unstage(), name=self.name, action="unstage()")

    async def _unstage(self) -> None:
        self.log.append("unstage")
        self.staged = False
        exposing = self._exposing
        if exposing is not None and not exposing.done:
            with contextlib.suppress(Exception):
                await exposing

    def trigger(self) -> Status[None]:
        """Expose for ``EXPOSURE_S``, then write the frame to the file (staged or not)."""
        self._exposing = Status(self._expose(), name=self.name, action="trigger()")
        return self._exposing

    async def _expose(self) -> None:
        try:
            await asyncio.sleep(EXPOSURE_S)
        except asyncio.CancelledError:
            self.log.append("trigger cancelled")
            raise
        if not self.staged:
            self.log.append("trigger failed")
            raise RuntimeError(f"{self.name} writes frames to a file: stage() it first")
        self.log.append("trigger done")

    async def read(self) -> dict[str, Reading[Any]]:
        """Nothing to read: the frames go to the file (here, nowhere)."""
        return {}

    async def describe(self) -> dict[str, DataKey]:
        """Nothing described, as nothing is read."""
        return {}

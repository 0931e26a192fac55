"""Where an MDA's frames go: inline in events, the camera's own file, or a writer given to mda().

- **inline**: a camera without a writer and no ``writer=``: events read the camera itself and
  carry the frame (small, interactive use and tests).
- **camera file**: the camera has its own ``FrameWriter``: it writes each frame; events carry
  the stream documents. Only here can consecutive frames run as a hardware burst.
- **plan file**: the camera hands frames back and ``mda(writer=...)`` gets them: the plan writes
  each frame once; its event follows once the frame is acknowledged (per flush), so writing
  overlaps taking. Autofocus and live view still see frames unsaved.
- **output** (``_mda_output``): ``mda(output=...)``: the plan writes each frame to its place in
  one image per position; its event follows once the frame is acknowledged.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any, Protocol

from ..engine import Msg, Return
from ..writers import FrameWriter
from ._autofocus import snap
from ._mda_record import CameraFrames, PlanFrames
from ._scope_protocol import CameraLike, can_sequence
from ._stubs import new_group

if TYPE_CHECKING:
    from useq import MDAEvent


class FramePath(Protocol):
    """How one frame is taken and referenced."""

    @property
    def readable(self) -> Any:
        """What each event reads besides the frame record."""
        ...

    @property
    def can_burst(self) -> bool:
        """Whether consecutive frames may run as one camera sequence."""
        ...

    def acquire(self, timeout: float | None, event: MDAEvent) -> AsyncGenerator[Any, Any]:
        """Take ``event``'s frame (and store it) within ``timeout`` seconds; a plan."""
        ...

    def trigger_messages(self, timeout: float | None) -> tuple[Msg, ...] | None:
        """The messages that take a frame, when that is all ``acquire`` does (else ``None``)."""
        ...

    async def close(self) -> None:
        """Finish storing frames (close a file the plan opened)."""
        ...


async def _trigger(camera: CameraLike, timeout: float | None) -> AsyncGenerator[Any, Any]:
    for msg in _trigger_messages(camera, timeout):
        yield msg
    yield Return(None)


def _trigger_messages(camera: CameraLike, timeout: float | None) -> tuple[Msg, Msg]:
    group = new_group("frame")
    return Msg("trigger", camera, group=group, timeout=timeout), Msg("wait", None, group=group)


class InlineFrames:
    """Frames carried in the events themselves (the camera is read into each event)."""

    can_burst = False

    def __init__(self, camera: CameraLike) -> None:
        """Read ``camera`` into events."""
        self._camera = camera

    @property
    def readable(self) -> Any:
        """The camera."""
        return self._camera

    def acquire(self, timeout: float | None, event: MDAEvent) -> AsyncGenerator[Any, Any]:
        """Trigger the camera and wait for the frame."""
        return _trigger(self._camera, timeout)

    def trigger_messages(self, timeout: float | None) -> tuple[Msg, ...]:
        """Trigger the camera and wait for the frame."""
        return _trigger_messages(self._camera, timeout)

    async def close(self) -> None:
        """Nothing to close."""


class CameraFileFrames:
    """Frames the camera writes to its own file; events reference them."""

    def __init__(self, camera: CameraLike) -> None:
        """Reference ``camera``'s file in events."""
        self._camera = camera
        self._readable = CameraFrames(camera)
        self.can_burst = can_sequence(camera)

    @property
    def readable(self) -> Any:
        """The camera's file references."""
        return self._readable

    def acquire(self, timeout: float | None, event: MDAEvent) -> AsyncGenerator[Any, Any]:
        """Trigger the camera (which writes and flushes the frame)."""
        return _trigger(self._camera, timeout)

    def trigger_messages(self, timeout: float | None) -> tuple[Msg, ...]:
        """Trigger the camera (which writes and flushes the frame)."""
        return _trigger_messages(self._camera, timeout)

    async def close(self) -> None:
        """The camera closes its own file when unstaged."""


class PlanFileFrames:
    """Frames handed back by the camera and written by the plan, once, to ``writer``."""

    can_burst = False
    defers_events = True
    """A frame's event is saved once the frame is acknowledged, so writing overlaps taking."""

    def __init__(self, camera: CameraLike, writer: FrameWriter) -> None:
        """Write ``camera``'s frames to ``writer`` under the camera's image data key."""
        self._camera = camera
        self._writer = writer
        self._readable = PlanFrames(camera.name, writer, camera)
        self._opened = False

    @property
    def readable(self) -> Any:
        """The file references."""
        return self._readable

    def trigger_messages(self, timeout: float | None) -> None:
        """None: the plan also hands the frame to the writer (``acquire``)."""

    async def acquire(self, timeout: float | None, event: MDAEvent) -> AsyncGenerator[Any, Any]:
        """Snap a frame and queue it; its event waits until readers can see it."""
        frame = yield snap(self._camera, timeout=timeout)
        if not self._opened:
            await self._readable.open(frame.shape, frame.dtype, f"camera://{self._camera.name}")
            self._opened = True
        await self._writer.write(frame)
        yield Return(None)

    async def close(self) -> None:
        """Close the file (it stays readable)."""
        if self._opened:
            self._opened = False
            await self._readable.close()


def frame_path(camera: CameraLike, writer: FrameWriter | None) -> FramePath:
    """Choose the frame path for ``camera`` and mda()'s ``writer``; refuse two writers."""
    if writer is not None and camera.writer is not None:
        raise ValueError(
            f"{camera.name!r} already writes its frames to its own file: pass writer=None to "
            "mda(), or build the camera without a writer"
        )
    if writer is not None:
        return PlanFileFrames(camera, writer)
    if camera.writer is not None:
        return CameraFileFrames(camera)
    return InlineFrames(camera)

"""``MMCamera``: a Micro-Manager camera as a bluesky detector, with sequences for bursts.

Software trigger: ``trigger()`` snaps (``snapImage`` + ``getImage`` on the worker thread), then
``read()`` gives the frame's mean (hinted) and, without a frame writer, the frame itself. With a
``FrameWriter`` frames go to a file exactly as the simulated camera's do: ``stage()`` opens it,
``describe()`` marks the image ``external: "STREAM:"``, ``collect_asset_docs()``/``get_index()``
hand the engine a stream resource and one datum per flush. ``prepare(n)``, ``kickoff()``,
``complete()`` acquire ``n`` frames as one hardware sequence through the core's circular buffer.
Exposure (seconds), binning, ROI, bit depth, pixel type and pixel size are configuration.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import numpy as np

from ...documents import DataKey, StreamAsset
from ...writers import FrameWriter, write_acknowledged
from .._readable import Kind
from .._signal import SignalR, SignalRW
from .._soft_signals import soft_signal_r_and_setter
from .._status import Status
from .._watchable import WatchableStatus, WatcherUpdate
from ._backend import CoreSignalBackend
from ._camera_values import (
    bit_depth_value,
    exposure_value,
    image_format,
    pixel_size_value,
    pixel_type_value,
    roi_value,
    use_camera,
)
from ._device import MMDevice
from ._link import CoreLink
from ._properties import property_signal
from ._property_info import PropertyInfo
from ._sequence import BufferedSequence

_PROGRESS_INTERVAL_S = 0.05
MIN_FRAME_TIMEOUT_S = 5.0
"""A sequence fails if no frame comes for this long (or five exposures, if longer)."""


class MMCamera(MMDevice):
    """A camera of a Micro-Manager core: snaps on ``trigger()``, streams sequences to a writer."""

    device_kind = "camera"

    def __init__(
        self,
        link: CoreLink,
        label: str,
        properties: tuple[PropertyInfo, ...] = (),
        name: str = "",
        *,
        writer: FrameWriter | None = None,
        frame_timeout_s: float | None = None,
    ) -> None:
        """Drive camera ``label``; ``writer`` stores frames; a sequence waits ``frame_timeout_s``.

        Without ``frame_timeout_s`` a sequence waits ``max(5 s, 5 exposures)`` for each frame.
        """
        infos = {info.name: info for info in properties}
        with self.add_children_as_readables(Kind.HINTED):
            self.mean, self._set_mean = soft_signal_r_and_setter(float, 0.0, units="ADU")
        self.image, self._set_image = soft_signal_r_and_setter(np.ndarray, np.zeros((1, 1)))
        if writer is None:
            self.add_readables([self.image], Kind.NORMAL)
        with self.add_children_as_readables(Kind.CONFIG):
            self.exposure = SignalRW(
                CoreSignalBackend(link, exposure_value(label, infos.get("Exposure")))
            )
            self.binning = _binning_signal(link, infos.get("Binning"))
            self.roi_x, self.roi_y, self.roi_width, self.roi_height = (
                SignalRW(CoreSignalBackend(link, roi_value(label, index))) for index in range(4)
            )
            self.bit_depth = SignalR(CoreSignalBackend(link, bit_depth_value(label)))
            self.pixel_type = SignalR(CoreSignalBackend(link, pixel_type_value(label)))
            self.pixel_size = SignalR(CoreSignalBackend(link, pixel_size_value(label)))
        self.frames_acquired, self._set_acquired = soft_signal_r_and_setter(int, 0)
        self.frame_timeout_s = frame_timeout_s
        self.sequence_timestamps: list[float] = []
        self._writer = writer
        self._stream_keys: dict[str, DataKey] | None = None
        self._sequence: BufferedSequence | None = None
        self._task: asyncio.Task[None] | None = None
        self._armed = 0
        self._failure: BaseException | None = None
        self._progress = asyncio.Event()
        self._reported = 0.0
        super().__init__(link, label, properties, name)

    @property
    def writer(self) -> FrameWriter | None:
        """The frame writer frames go to (``None``: frames are read inline)."""
        return self._writer

    @writer.setter
    def writer(self, writer: FrameWriter) -> None:
        """Swap the writer for one wrapping it (the server's live tap), between files only."""
        if self._writer is None or self._stream_keys is not None:
            raise ValueError(f"{self.name}: a writer can replace another only between files")
        self._writer = writer

    def busy_sequencing(self) -> bool:
        """Whether a sequence is running."""
        return self._task is not None and not self._task.done()

    # --- staging and software trigger ---------------------------------------------------------

    def stage(self) -> Status[None]:
        """Open the frame writer (a new file) for the current frame shape, if there is one."""
        return Status(self._stage(), name=self.name, action="stage()")

    async def _stage(self) -> None:
        if self._stream_keys is not None:
            return
        shape, dtype, _ = await self.link.call(image_format, self.link.core, self.label)
        if self._writer is None:
            self._set_image(np.zeros(shape, dtype))
            return
        key, source = f"{self.name}-image", f"mm://{self.label}"
        self._stream_keys = await self._writer.open(key, shape, dtype, source=source)

    def unstage(self) -> Status[None]:
        """Stop a running sequence and close the writer's file."""
        return Status(self._unstage(), name=self.name, action="unstage()")

    async def _unstage(self) -> None:
        await self.stop()
        if self._writer is not None and self._stream_keys is not None:
            self._stream_keys = None
            await self._writer.close()

    def trigger(self) -> Status[None]:
        """Snap one frame; with a writer, done once the frame is in the file."""
        return Status(self._trigger(), name=self.name, action="trigger()")

    async def _trigger(self) -> None:
        if self.busy_sequencing():
            raise RuntimeError(f"{self.name} is busy acquiring a sequence")
        frame, mean = await self.link.call(_snap, self.link.core, self.label)
        self._set_mean(mean)
        if self._writer is None:
            self._set_image(frame)
            return
        if self._stream_keys is None:
            raise RuntimeError(f"{self.name} writes frames to a file: stage() it first")
        await write_acknowledged(self._writer, frame)

    async def describe(self) -> dict[str, DataKey]:
        """Describe the mean, and the image: inline, or ``external: "STREAM:"`` in a file."""
        keys = await super().describe()
        if self._stream_keys is not None:
            keys.update(self._stream_keys)
        return keys

    def collect_asset_docs(self, index: int | None = None) -> Iterator[StreamAsset]:
        """Yield the stream resource (once) and a stream datum for frames not yet referenced."""
        if self._writer is None or self._stream_keys is None:
            return iter(())
        written = self._writer.get_indices_written()
        return self._writer.collect_stream_docs(written if index is None else min(index, written))

    def get_index(self) -> int:
        """Return how many frames are in the file and visible to readers."""
        return self._writer.get_indices_written() if self._writer is not None else 0

    # --- sequences (flyer) ---------------------------------------------------------------------

    def prepare(self, value: int) -> Status[None]:
        """Arm a sequence of ``value`` frames (opening the writer if not staged)."""
        return Status(self._prepare(value), name=self.name, action=f"prepare({value!r})")

    async def _prepare(self, frames: int) -> None:
        if isinstance(frames, bool) or not isinstance(frames, int) or frames < 1:
            raise ValueError(f"a sequence needs a whole number of frames >= 1, got {frames!r}")
        if self._writer is None:
            raise ValueError(f"{self.name} has no frame writer: sequences stream to a file")
        if self.busy_sequencing():
            raise RuntimeError(f"{self.name} is busy acquiring a sequence")
        if self._failure is not None:
            raise RuntimeError(
                f"{self.name}'s last sequence failed ({self._failure}); stop() or unstage() "
                "it before starting another"
            )
        await self._stage()
        self._armed = frames

    def kickoff(self) -> Status[None]:
        """Start the prepared sequence; done as soon as the camera is acquiring."""
        return Status(self._kickoff(), name=self.name, action="kickoff()")

    async def _kickoff(self) -> None:
        if self._armed < 1 or self._writer is None:
            raise RuntimeError(f"{self.name}: prepare(frames) before kickoff()")
        frames, self._armed = self._armed, 0
        timeout = self.frame_timeout_s
        if timeout is None:
            timeout = max(MIN_FRAME_TIMEOUT_S, 5 * await self.exposure.get_value())
        self._set_acquired(0)
        sequence = BufferedSequence(
            self.link, self.label, self._writer, frames,
            camera=self.name, timeout_s=timeout, on_frame=self._frame_arrived,
        )  # fmt: skip
        await sequence.start()
        self._sequence, self.sequence_timestamps = sequence, sequence.timestamps
        self._task = asyncio.create_task(self._drain(sequence))

    async def _drain(self, sequence: BufferedSequence) -> None:
        """Drain the sequence; keep its error for ``complete()`` (and the next ``prepare``)."""
        try:
            await sequence.drain()
        except Exception as error:
            self._failure = error
        finally:
            self._progress.set()

    def _frame_arrived(self, count: int) -> None:
        self._set_acquired(count)
        now = time.monotonic()
        if now - self._reported >= _PROGRESS_INTERVAL_S:
            self._reported = now
            self._progress.set()

    def complete(self) -> WatchableStatus[int]:
        """Wait for the sequence to end (every frame in the file), reporting frames acquired."""
        return WatchableStatus(self._follow(), name=self.name, action="complete()")

    async def _follow(self) -> AsyncIterator[WatcherUpdate[int]]:
        task, sequence = self._task, self._sequence
        if task is None or sequence is None:
            raise RuntimeError(f"{self.name}: kickoff() before complete()")
        while not task.done():
            self._progress.clear()
            waiter = asyncio.ensure_future(self._progress.wait())
            try:
                await asyncio.wait([waiter, task], return_when=asyncio.FIRST_COMPLETED)
            finally:
                waiter.cancel()
            yield _frames_update(sequence.received, sequence.frames)
        if self._failure is not None:
            raise self._failure
        yield _frames_update(sequence.received, sequence.frames)

    async def describe_collect(self) -> dict[str, DataKey]:
        """Describe what ``collect`` references: the image data key, stored in the file."""
        return dict(self._stream_keys or {})

    async def stop(self, success: bool = True) -> None:
        """End a running sequence; frames the camera already took are still written."""
        task, sequence = self._task, self._sequence
        self._failure = None
        if task is None or sequence is None or task.done():
            return
        sequence.request_stop()
        await task
        self._failure = None


def _binning_signal(link: CoreLink, info: PropertyInfo | None) -> SignalR[Any]:
    """The camera's ``Binning`` property, or a fixed 1 for a camera without one."""
    if info is not None:
        return property_signal(link, info)
    return soft_signal_r_and_setter(int, 1)[0]


def _snap(core: Any, label: str) -> tuple[np.ndarray, float]:
    """On the worker: snap with ``label`` and return the frame and its mean."""
    use_camera(core, label)
    core.snapImage()
    frame = core.getImage()
    return frame, _mean(frame)


def _mean(frame: np.ndarray) -> float:
    """The frame's mean (integer pixels summed exactly, and faster than ``mean()``)."""
    if frame.dtype.kind == "u":
        return float(frame.sum(dtype=np.uint64)) / frame.size
    return float(frame.mean())


def _frames_update(done: int, target: int) -> WatcherUpdate[int]:
    fraction = 1.0 if target == 0 else done / target
    return WatcherUpdate(current=done, initial=0, target=target, unit="frames", fraction=fraction)

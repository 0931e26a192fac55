"""``SimCamera``: the simulated sCMOS camera as a bluesky detector.

Software trigger: ``trigger()`` exposes one frame (taking the exposure and readout time), then
``read()`` gives its mean (hinted; ``frame_mean``, computed off the loop) and, without a frame
writer, the frame itself inline. With a ``FrameWriter`` the frames go to a file instead:
``stage()`` opens it, ``describe()`` marks the image ``external: "STREAM:"``, and
``collect_asset_docs()``/``get_index()`` hand the engine the stream documents. Sequences:
``prepare(n)``, ``kickoff()``, ``complete()`` stream ``n`` frames at the camera's frame rate
into the writer (a flyer, with progress).

Frames are rendered on a worker thread; a sequence renders frame n+1 while frame n goes to the
writer. Frames are lent from a bounded pool of buffers, each reused only once the writer (and
everyone else: an event, a plan writing it, a viewer) has let go of it, so filling a frame
does not fault in fresh memory each time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import numpy as np

from ...documents import DataKey, StreamAsset
from ...writers import FrameWriter, write_acknowledged
from .. import (
    Kind,
    SignalRW,
    StandardReadable,
    Status,
    WatchableStatus,
    WatcherUpdate,
    soft_signal_r_and_setter,
    soft_signal_rw,
)
from ._frame_maker import FrameMaker, frame_mean, pool_limit
from ._frame_sequence import FrameSequence
from ._model import MicroscopeModel
from ._sensor import BIT_DEPTHS, CameraSettings
from ._synth import SensorFrame

_PROGRESS_INTERVAL_S = 0.05
"""A sequence's progress goes to watchers at most this often (and once at the end)."""


class SimCamera(StandardReadable):
    """The camera of the simulated microscope: software trigger and sequence acquisition."""

    def __init__(
        self,
        model: MicroscopeModel,
        name: str = "",
        *,
        writer: FrameWriter | None = None,
        realtime: bool = True,
    ) -> None:
        """Make a camera over ``model``; ``realtime`` makes frames take their exposure time."""
        settings = model.camera
        with self.add_children_as_readables(Kind.CONFIG):
            self.exposure = soft_signal_rw(float, settings.exposure_s, units="s", limits=(0, 3600))
            self.gain = soft_signal_rw(float, settings.gain, units="ADU/e-", limits=(0, None))
            self.offset = soft_signal_rw(float, settings.offset_adu, units="ADU", limits=(0, None))
            self.binning = soft_signal_rw(int, settings.binning, limits=(1, 8))
            self.bit_depth = soft_signal_rw(int, settings.bit_depth, limits=(8, 16))
            self.roi_x, self.roi_y, self.roi_width, self.roi_height = (
                soft_signal_rw(int, value, units="px", limits=(0, None))
                for value in _roi_signals(settings)
            )
        with self.add_children_as_readables(Kind.HINTED):
            self.mean, self._set_mean = soft_signal_r_and_setter(float, 0.0, units="ADU")
        self.image, self._set_image = soft_signal_r_and_setter(
            np.ndarray, np.zeros(model.frame_shape(), settings.dtype)
        )
        if writer is None:
            self.add_readables([self.image], Kind.NORMAL)
        self.acquire_period, self._set_period = soft_signal_r_and_setter(
            float, model.frame_period_s(), units="s"
        )
        self.frames_acquired, self._set_acquired = soft_signal_r_and_setter(int, 0)
        self._model = model
        self._writer = writer
        self._realtime = realtime
        self._stream_keys: dict[str, DataKey] | None = None
        self._settings: tuple[tuple[object, ...], CameraSettings] | None = None
        self._lock = asyncio.Lock()
        self._maker = FrameMaker(model, pool_limit(writer))
        self._sequence: asyncio.Task[None] | None = None
        self._sequence_length = 0
        self._sequence_target = 0
        self._progress = asyncio.Event()
        self.sequence_timestamps: list[float] = []
        super().__init__(name)

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

    async def settings(self) -> CameraSettings:
        """Return the settings the signals describe, checked against the sensor.

        The last settings are reused while the signals read the same (every trigger asks).
        """
        values = _settings_values([await signal.get_value() for signal in self._config_signals()])
        if self._settings is not None and values == self._settings[0]:
            return self._settings[1]
        exposure_s, gain, offset_adu, binning, roi, bit_depth = values
        if bit_depth not in BIT_DEPTHS:
            raise ValueError(f"bit_depth must be one of {BIT_DEPTHS}, got {bit_depth}")
        settings = CameraSettings(
            exposure_s=exposure_s,
            gain=gain,
            offset_adu=offset_adu,
            binning=binning,
            roi=roi,
            bit_depth=bit_depth,
        )
        settings.check(self._model.sensor)
        self._set_period(settings.frame_period_s(self._model.sensor))
        self._settings = (values, settings)
        return settings

    def _config_signals(self) -> tuple[SignalRW[Any], ...]:
        return (self.exposure, self.gain, self.offset, self.binning, self.bit_depth,
                self.roi_x, self.roi_y, self.roi_width, self.roi_height)  # fmt: skip

    def _settings_now(self) -> CameraSettings | None:
        """The last settings, if a frame can be made at once with them (see ``trigger``)."""
        if self._realtime or self._writer is not None or self._settings is None:
            return None
        if self._lock.locked() or (self._sequence is not None and not self._sequence.done()):
            return None
        values = []
        for signal in self._config_signals():
            soft = signal._soft_backend()
            if soft is None:
                return None
            values.append(soft.value)
        cached, settings = self._settings
        return settings if _settings_values(values) == cached else None

    # --- staging and software trigger ---------------------------------------------------------

    def stage(self) -> Status[None]:
        """Open the frame writer (a new file) for the current frame shape, if there is one."""
        return Status(self._stage(), name=self.name, action="stage()")

    async def _stage(self) -> None:
        settings = await self.settings()
        shape = settings.frame_shape(self._model.sensor)
        if self._writer is None:
            self._set_image(np.zeros(shape, settings.dtype))
            return
        if self._stream_keys is None:
            key = f"{self.name}-image"
            source = f"sim://{self.name}"
            self._stream_keys = await self._writer.open(key, shape, settings.dtype, source=source)

    def unstage(self) -> Status[None]:
        """Stop a running sequence and close the writer's file."""
        return Status(self._unstage(), name=self.name, action="unstage()")

    async def _unstage(self) -> None:
        await self.stop()
        if self._writer is not None and self._stream_keys is not None:
            self._stream_keys = None
            await self._writer.close()

    def trigger(self) -> Status[None]:
        """Expose and read out one frame; with a writer, done once the frame is in the file.

        Out of real time, with no file to write, a small pattern frame under unchanged settings
        is made at once and the Status returned finished (as a soft detector with no exposure):
        no task, no waiting.
        """
        settings = self._settings_now()
        if settings is not None:
            made = self._maker.render_now(settings, pooled=True)
            if made is not None:
                frame, mean = made
                self._set_mean(mean)
                self._set_image(frame)
                return Status.succeeded(None, name=self.name, action="trigger()")
        return Status(self._trigger(), name=self.name, action="trigger()")

    async def _trigger(self) -> None:
        if self._sequence is not None and not self._sequence.done():
            raise RuntimeError(f"{self.name} is busy acquiring a sequence")
        settings = await self.settings()
        frame, mean = await self._expose(settings)
        self._set_mean(mean)
        if self._writer is None:
            self._set_image(frame)
            return
        if self._stream_keys is None:
            raise RuntimeError(f"{self.name} writes frames to a file: stage() it first")
        await write_acknowledged(self._writer, frame)

    async def _expose(self, settings: CameraSettings) -> tuple[SensorFrame, float]:
        """Render one frame and its mean off the loop; in real time, take exposure + readout."""
        async with self._lock:
            start = time.monotonic()
            exposed = await self._maker.render_off_loop(settings, pooled=True)
            if self._realtime:
                duration = settings.exposure_s + settings.readout_time_s(self._model.sensor)
                await asyncio.sleep(max(0.0, duration - (time.monotonic() - start)))
            return exposed

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
        if self._sequence is not None and not self._sequence.done():
            raise RuntimeError(f"{self.name} is busy acquiring a sequence")
        await self._stage()
        self._sequence_length = frames

    def kickoff(self) -> Status[None]:
        """Start streaming the prepared sequence; done as soon as acquisition has started."""
        return Status(self._kickoff(), name=self.name, action="kickoff()")

    async def _kickoff(self) -> None:
        if self._sequence_length < 1:
            raise RuntimeError(f"{self.name}: prepare(frames) before kickoff()")
        settings = await self.settings()
        frames, self._sequence_length = self._sequence_length, 0
        self._sequence_target = frames
        self._set_acquired(0)
        self.sequence_timestamps = []
        self._sequence = asyncio.create_task(self._stream(settings, frames))

    async def _stream(self, settings: CameraSettings, frames: int) -> None:
        """Acquire ``frames`` frames, one per frame period, each written to the file.

        The next frame is exposed (rendered on the sequence's thread) while this one is written,
        out of real time one more as well; progress goes to watchers at most every
        ``_PROGRESS_INTERVAL_S`` and at the end.
        """
        writer = self._writer
        assert writer is not None
        period = settings.frame_period_s(self._model.sensor)
        sequence = FrameSequence(self._maker, settings, frames)
        start = reported = time.monotonic()
        sequence.start()
        if not self._realtime:
            sequence.expose_next()
        try:
            for number in range(1, frames + 1):
                frame = await sequence.next_frame()
                if self._realtime:
                    await asyncio.sleep(max(0.0, start + number * period - time.monotonic()))
                if number < frames:
                    sequence.expose_next()
                self.sequence_timestamps.append(time.time())
                await writer.write(frame)
                self._set_acquired(number)
                if number == frames or time.monotonic() - reported >= _PROGRESS_INTERVAL_S:
                    reported = time.monotonic()
                    self._progress.set()
        finally:
            sequence.stop()
        self._set_mean(await asyncio.to_thread(frame_mean, frame))
        await writer.flush()

    def complete(self) -> WatchableStatus[int]:
        """Wait for the sequence to end (all frames in the file), reporting frames acquired."""
        return WatchableStatus(self._follow(), name=self.name, action="complete()")

    async def _follow(self) -> AsyncIterator[WatcherUpdate[int]]:
        sequence = self._sequence
        if sequence is None:
            raise RuntimeError(f"{self.name}: kickoff() before complete()")
        target = self._sequence_target
        while not sequence.done():
            self._progress.clear()
            waiter = asyncio.ensure_future(self._progress.wait())
            try:
                await asyncio.wait([waiter, sequence], return_when=asyncio.FIRST_COMPLETED)
            finally:
                waiter.cancel()
            yield _frames_update(await self.frames_acquired.get_value(), target)
        await sequence
        yield _frames_update(await self.frames_acquired.get_value(), target)

    async def describe_collect(self) -> dict[str, DataKey]:
        """Describe what ``collect`` references: the image data key, stored in the file."""
        return dict(self._stream_keys or {})

    async def stop(self, success: bool = True) -> None:
        """Abort a running sequence (frames already acquired stay in the file)."""
        sequence = self._sequence
        if sequence is not None and not sequence.done():
            sequence.cancel()
            await asyncio.gather(sequence, return_exceptions=True)


def _settings_values(values: list[Any]) -> tuple[Any, ...]:
    """(exposure, gain, offset, binning, roi, bit depth) from the ``_config_signals`` values."""
    exposure_s, gain, offset_adu, binning, bit_depth, x, y, width, height = values
    roi = (y, x, height, width) if width and height else None
    return exposure_s, gain, offset_adu, binning, roi, bit_depth


def _frames_update(done: int, target: int) -> WatcherUpdate[int]:
    fraction = 1.0 if target == 0 else done / target
    return WatcherUpdate(current=done, initial=0, target=target, unit="frames", fraction=fraction)


def _roi_signals(settings: CameraSettings) -> tuple[int, int, int, int]:
    """Return (x, y, width, height) of the ROI; zeros mean the whole sensor."""
    if settings.roi is None:
        return 0, 0, 0, 0
    row, col, rows, cols = settings.roi
    return col, row, cols, rows

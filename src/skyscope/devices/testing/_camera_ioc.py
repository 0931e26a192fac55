"""A simulated areaDetector camera served by caproto: a ``cam1:`` driver and an ``image1:`` plugin.

``cam1:Acquire`` with put-completion completes when the requested images are done (Single: one,
Multiple: ``NumImages``, Continuous: until ``Acquire`` is put to 0). Each frame comes from a
frame source (frame number, and the motor readbacks if it takes them → 2-D array) and is
published on ``image1:ArrayData`` (flattened, row-major), with the counters and sizes updated,
as areaDetector's image plugin does.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
from caproto import ChannelType, SkipWrite
from caproto.server import PVGroup, PvpropertyByteRO, pvproperty

from ._frames import FrameFunction, Positions, at_positions

_log = logging.getLogger(__name__)

IMAGE_MODES = ("Single", "Multiple", "Continuous")
DETECTOR_STATES = ("Idle", "Acquire", "Readout", "Correct", "Saving", "Aborting", "Error")
DATA_TYPES = (
    "Int8",
    "UInt8",
    "Int16",
    "UInt16",
    "Int32",
    "UInt32",
    "Int64",
    "UInt64",
    "Float32",
    "Float64",
)
"""areaDetector's NDDataType_t, in its order."""

_WIRE_TYPES: dict[str, tuple[Any, str]] = {
    "Int8": (PvpropertyByteRO, "u1"),
    "UInt8": (PvpropertyByteRO, "u1"),
    "Int16": (ChannelType.INT, "i2"),
    "UInt16": (ChannelType.INT, "i2"),
    "Int32": (ChannelType.LONG, "i4"),
    "UInt32": (ChannelType.LONG, "i4"),
    "Float32": (ChannelType.FLOAT, "f4"),
    "Float64": (ChannelType.DOUBLE, "f8"),
}
"""How each data type travels over CA (areaDetector's FTVL choice) and its same-size wire dtype."""


def data_type_name(dtype: np.dtype[Any]) -> str:
    """Return areaDetector's name for a numpy dtype, refusing ones CA cannot carry."""
    name = {"i": "Int", "u": "UInt", "f": "Float"}.get(dtype.kind, "?") + str(8 * dtype.itemsize)
    if name not in _WIRE_TYPES:
        raise TypeError(f"frames of dtype {dtype} cannot be served over Channel Access")
    return name


def _enum(value: str, choices: tuple[str, ...], doc: str, **kwargs: Any) -> Any:
    return pvproperty(value=value, dtype=ChannelType.ENUM, enum_strings=choices, doc=doc, **kwargs)


def _number(value: float | int, doc: str, **kwargs: Any) -> Any:
    dtype = ChannelType.DOUBLE if isinstance(value, float) else ChannelType.LONG
    return pvproperty(value=value, dtype=dtype, doc=doc, **kwargs)


def _read_only_text(value: str, doc: str) -> Any:
    return pvproperty(value=value, dtype=ChannelType.STRING, read_only=True, doc=doc)


async def _put_acquire(group: CameraDriver, instance: Any, value: str) -> None:
    if value == "Acquire":
        await group.acquire_until_done()
    else:
        group.request_stop()


async def _copy_to_rbv(group: PVGroup, instance: Any, value: Any) -> Any:
    await getattr(group, f"{instance.pvspec.attr}_rbv").write(value)
    return value


class CameraDriver(PVGroup):  # type: ignore[misc]
    """The ``cam1:`` driver: acquisition control and the detector's state and counters."""

    acquire = _enum(
        "Done", ("Done", "Acquire"), "Start (1) or stop (0)", name="Acquire", put=_put_acquire
    )
    acquire_rbv = _enum(
        "Done", ("Done", "Acquire"), "Acquiring?", name="Acquire_RBV", read_only=True
    )
    acquire_time = _number(0.01, "Exposure (s)", name="AcquireTime", put=_copy_to_rbv)
    acquire_time_rbv = _number(0.01, "Exposure (s)", name="AcquireTime_RBV", read_only=True)
    acquire_period = _number(0.0, "Frame period (s)", name="AcquirePeriod", put=_copy_to_rbv)
    acquire_period_rbv = _number(0.0, "Frame period (s)", name="AcquirePeriod_RBV", read_only=True)
    image_mode = _enum("Single", IMAGE_MODES, "Image mode", name="ImageMode", put=_copy_to_rbv)
    image_mode_rbv = _enum(
        "Single", IMAGE_MODES, "Image mode", name="ImageMode_RBV", read_only=True
    )
    num_images = _number(1, "Images per Multiple acquisition", name="NumImages", put=_copy_to_rbv)
    num_images_rbv = _number(1, "Images per acquisition", name="NumImages_RBV", read_only=True)
    num_images_counter_rbv = _number(
        0, "Images so far", name="NumImagesCounter_RBV", read_only=True
    )
    array_counter = _number(0, "Frame counter (settable)", name="ArrayCounter", put=_copy_to_rbv)
    array_counter_rbv = _number(0, "Frame counter", name="ArrayCounter_RBV", read_only=True)
    detector_state_rbv = _enum(
        "Idle", DETECTOR_STATES, "Detector state", name="DetectorState_RBV", read_only=True
    )
    array_size_x_rbv = _number(0, "Frame width", name="ArraySizeX_RBV", read_only=True)
    array_size_y_rbv = _number(0, "Frame height", name="ArraySizeY_RBV", read_only=True)
    data_type = _enum(
        "UInt16",
        DATA_TYPES,
        "Pixel type (set by the frame source)",
        name="DataType",
        read_only=True,
    )
    data_type_rbv = _enum("UInt16", DATA_TYPES, "Pixel type", name="DataType_RBV", read_only=True)
    array_callbacks = _enum(
        "Enable", ("Disable", "Enable"), "Pass frames to plugins", name="ArrayCallbacks"
    )
    manufacturer_rbv = _read_only_text("skyscope", "Manufacturer")
    model_rbv = _read_only_text("TestIOC camera", "Model")

    def __init__(
        self,
        prefix: str,
        *,
        source: FrameFunction,
        plugin: ImagePlugin,
        positions: Callable[[], Positions] = dict,
        **kwargs: Any,
    ) -> None:
        super().__init__(prefix, **kwargs)
        self._frames = at_positions(source)
        self._positions = positions
        self._plugin = plugin
        self._stop = asyncio.Event()
        self._acquisition: asyncio.Task[None] | None = None

    async def configure(self, frame: npt.NDArray[Any]) -> None:
        """Publish the frame geometry and pixel type of the source's first frame."""
        height, width = frame.shape
        kind = data_type_name(frame.dtype)
        for channel, value in (
            (self.array_size_x_rbv, width),
            (self.array_size_y_rbv, height),
            (self.data_type, kind),
            (self.data_type_rbv, kind),
        ):
            await channel.write(value)

    async def acquire_until_done(self) -> None:
        """Serve ``Acquire=1``: start (or join) the acquisition; return when it ends."""
        if self._acquisition is None or self._acquisition.done():
            self._stop.clear()
            self._acquisition = asyncio.create_task(self._acquire())
        await asyncio.shield(self._acquisition)
        raise SkipWrite  # Acquire was set back to Done by the acquisition itself

    def request_stop(self) -> None:
        """Serve ``Acquire=0``: end the acquisition after the current frame."""
        self._stop.set()

    def _planned_images(self) -> float:
        mode = self.image_mode.value
        if mode == "Single":
            return 1
        return math.inf if mode == "Continuous" else max(int(self.num_images.value), 0)

    async def _acquire(self) -> None:
        await self._set_busy(True)
        try:
            await self._take_frames(self._planned_images())
        except Exception:
            _log.exception("acquisition failed")
            await self.detector_state_rbv.write("Error")
        finally:
            await self._set_busy(False)

    async def _set_busy(self, busy: bool) -> None:
        await self.acquire.write("Acquire" if busy else "Done", verify_value=False)
        await self.acquire_rbv.write("Acquire" if busy else "Done")
        if busy:
            await self.num_images_counter_rbv.write(0)
        if busy or self.detector_state_rbv.value != "Error":
            await self.detector_state_rbv.write("Acquire" if busy else "Idle")

    async def _take_frames(self, planned: float) -> None:
        taken = 0
        while taken < planned and not self._stop.is_set():
            started = time.monotonic()
            await asyncio.sleep(float(self.acquire_time.value))
            if self._stop.is_set():
                break
            await self._publish_frame(int(self.array_counter.value) + 1)
            taken += 1
            await self.num_images_counter_rbv.write(taken)
            rest = float(self.acquire_period.value) - (time.monotonic() - started)
            if rest > 0 and taken < planned:
                await asyncio.sleep(rest)

    async def _publish_frame(self, number: int) -> None:
        frame = np.asarray(self._frames(number, self._positions()))
        expected = (int(self.array_size_y_rbv.value), int(self.array_size_x_rbv.value))
        if frame.shape != expected or data_type_name(frame.dtype) != self.data_type.value:
            raise ValueError(
                f"frame {number} is {frame.dtype} {frame.shape}; the camera serves "
                f"{self.data_type.value} {expected} (the frame source's first frame)"
            )
        await self.array_counter.write(number, verify_value=False)
        await self.array_counter_rbv.write(number)
        if self.array_callbacks.value == "Enable":
            await self._plugin.publish(frame, number)


def image_plugin_class(frame: npt.NDArray[Any]) -> type[ImagePlugin]:
    """Make the ``image1:`` plugin class whose ArrayData holds frames like ``frame``."""
    wire_type, _ = _WIRE_TYPES[data_type_name(frame.dtype)]
    kind = data_type_name(frame.dtype)

    class SizedImagePlugin(ImagePlugin):
        array_data = pvproperty(
            name="ArrayData",
            value=np.zeros(frame.size, dtype=frame.dtype),
            dtype=wire_type,
            max_length=frame.size,
            read_only=True,
            doc="The frame, flattened",
        )
        data_type_rbv = _enum(kind, DATA_TYPES, "Pixel type", name="DataType_RBV", read_only=True)

    return SizedImagePlugin


class ImagePlugin(PVGroup):  # type: ignore[misc]
    """The ``image1:`` plugin (NDStdArrays): the latest frame as a waveform, and its geometry."""

    array_counter_rbv = _number(0, "Frames received", name="ArrayCounter_RBV", read_only=True)
    unique_id_rbv = _number(0, "The frame's unique id", name="UniqueId_RBV", read_only=True)
    array_size0_rbv = _number(0, "Frame width", name="ArraySize0_RBV", read_only=True)
    array_size1_rbv = _number(0, "Frame height", name="ArraySize1_RBV", read_only=True)
    ndimensions_rbv = _number(2, "Dimensions", name="NDimensions_RBV", read_only=True)
    enable_callbacks = _enum(
        "Enable", ("Disable", "Enable"), "Process frames", name="EnableCallbacks"
    )

    async def publish(self, frame: npt.NDArray[Any], number: int) -> None:
        """Publish a frame (if enabled): the waveform first, then its geometry and counters."""
        if self.enable_callbacks.value != "Enable":
            return
        height, width = frame.shape
        _, wire = _WIRE_TYPES[data_type_name(frame.dtype)]
        await self.array_size0_rbv.write(width)
        await self.array_size1_rbv.write(height)
        await self.array_data.write(np.ascontiguousarray(frame).reshape(-1).view(wire))
        await self.unique_id_rbv.write(number)
        await self.array_counter_rbv.write(int(self.array_counter_rbv.value) + 1)

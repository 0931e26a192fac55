"""The two areaDetector pieces a camera needs: the ``cam1:`` driver and the ``image1:`` plugin.

Field names follow areaDetector (ADCore's ``ADBase.template`` and ``NDStdArrays.template``), so
these devices talk to a real areaDetector IOC as well as to skyscope's test IOC.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .._datatypes import StrictEnum
from .._device import Device
from ._conversion import as_dtype
from ._signals import epics_signal_r, epics_signal_rw


class ImageMode(StrictEnum):
    """``cam1:ImageMode``: one frame, ``NumImages`` frames, or until stopped."""

    SINGLE = "Single"
    MULTIPLE = "Multiple"
    CONTINUOUS = "Continuous"


_PIXEL_TYPES = {
    "Int8": np.int8, "UInt8": np.uint8, "Int16": np.int16, "UInt16": np.uint16,
    "Int32": np.int32, "UInt32": np.uint32, "Int64": np.int64, "UInt64": np.uint64,
    "Float32": np.float32, "Float64": np.float64,
}  # fmt: skip
"""areaDetector's NDDataType names and the numpy type of their pixels."""


def pixel_dtype(data_type: str) -> np.dtype[Any]:
    """Return the numpy dtype of areaDetector's ``DataType`` name (e.g. ``UInt16``)."""
    try:
        return np.dtype(_PIXEL_TYPES[data_type])
    except KeyError:
        raise ValueError(f"unknown areaDetector data type {data_type!r}") from None


def as_image(flat: npt.NDArray[Any], width: int, height: int, data_type: str) -> npt.NDArray[Any]:
    """View a flat ArrayData waveform as a ``(height, width)`` image of the right pixel type.

    CA has no unsigned types, so areaDetector sends UInt16 pixels as SHORT and so on: a same-size
    integer array is reinterpreted (a view, no copy), anything else converted.
    """
    count = width * height
    if flat.size < count:
        raise ValueError(f"ArrayData holds {flat.size} values, fewer than {width}x{height}")
    return as_dtype(flat[:count], pixel_dtype(data_type)).reshape(height, width)


class AdDriver(Device):
    """An areaDetector driver (``<prefix>cam1:``): acquisition control, counters and geometry."""

    def __init__(self, prefix: str, name: str = "") -> None:
        """Talk to the driver records under ``prefix`` (e.g. ``13SIM1:cam1:``)."""
        self.acquire = epics_signal_rw(bool, f"{prefix}Acquire", f"{prefix}Acquire_RBV")
        self.acquire_time = epics_signal_rw(
            float, f"{prefix}AcquireTime", f"{prefix}AcquireTime_RBV"
        )
        self.acquire_period = epics_signal_rw(
            float, f"{prefix}AcquirePeriod", f"{prefix}AcquirePeriod_RBV"
        )
        self.image_mode = epics_signal_rw(ImageMode, f"{prefix}ImageMode", f"{prefix}ImageMode_RBV")
        self.num_images = epics_signal_rw(int, f"{prefix}NumImages", f"{prefix}NumImages_RBV")
        self.num_images_counter = epics_signal_r(int, f"{prefix}NumImagesCounter_RBV")
        self.array_counter = epics_signal_rw(
            int, f"{prefix}ArrayCounter", f"{prefix}ArrayCounter_RBV"
        )
        self.array_callbacks = epics_signal_rw(bool, f"{prefix}ArrayCallbacks")
        self.detector_state = epics_signal_r(str, f"{prefix}DetectorState_RBV")
        self.array_size_x = epics_signal_r(int, f"{prefix}ArraySizeX_RBV")
        self.array_size_y = epics_signal_r(int, f"{prefix}ArraySizeY_RBV")
        self.data_type = epics_signal_r(str, f"{prefix}DataType_RBV")
        super().__init__(name)


class AdImagePlugin(Device):
    """An areaDetector NDStdArrays plugin (``<prefix>image1:``): the latest frame as a waveform."""

    def __init__(self, prefix: str, name: str = "") -> None:
        """Talk to the plugin records under ``prefix`` (e.g. ``13SIM1:image1:``)."""
        self.array_data = epics_signal_r(np.ndarray, f"{prefix}ArrayData")
        self.array_counter = epics_signal_r(int, f"{prefix}ArrayCounter_RBV")
        self.unique_id = epics_signal_r(int, f"{prefix}UniqueId_RBV")
        self.array_size0 = epics_signal_r(int, f"{prefix}ArraySize0_RBV")
        self.array_size1 = epics_signal_r(int, f"{prefix}ArraySize1_RBV")
        self.data_type = epics_signal_r(str, f"{prefix}DataType_RBV")
        self.enable_callbacks = epics_signal_rw(bool, f"{prefix}EnableCallbacks")
        super().__init__(name)

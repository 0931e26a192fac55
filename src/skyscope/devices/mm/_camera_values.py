"""The camera's settings as core values: exposure (s), ROI, bit depth, pixel type, pixel size.

Each reads (and writes) through the core on the worker thread, for the camera's own label:
calls that only act on the core's current camera first make this camera the current one.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._backend import CoreValue
from ._pixel_size import pixel_size_um
from ._property_info import PropertyInfo

ROI_FIELDS = ("x", "y", "width", "height")

_PIXEL_TYPES = {(1, 1): "GRAY8", (2, 1): "GRAY16", (4, 1): "GRAY32", (4, 4): "RGB32",
                (8, 4): "RGB64"}  # fmt: skip
_DTYPES = {1: np.uint8, 2: np.uint16, 4: np.uint32}


def use_camera(core: Any, label: str) -> None:
    """Make ``label`` the core's current camera (snaps and image sizes follow it)."""
    if core.getCameraDevice() != label:
        core.setCameraDevice(label)


def exposure_value(label: str, info: PropertyInfo | None) -> CoreValue[float]:
    """The exposure in seconds (the core speaks ms), checked against the property's limits."""

    def check(value: Any) -> float:
        seconds = _number(value, "exposure (s)")
        if seconds < 0:
            raise ValueError(f"exposure must be >= 0 s, got {seconds}")
        if info is not None and info.limits is not None:
            low, high = info.limits
            if not low <= seconds * 1000 <= high:
                raise ValueError(
                    f"exposure {seconds} s is outside the limits of {label!r}: "
                    f"[{low / 1000:g}, {high / 1000:g}] s"
                )
        return seconds

    limits = None
    if info is not None and info.limits is not None:
        limits = (info.limits[0] / 1000.0, info.limits[1] / 1000.0)
    return CoreValue(
        datatype=float,
        source=f"mm://{label}/Exposure",
        read=lambda core: core.getExposure(label),
        convert=lambda ms: float(ms) / 1000.0,
        write=lambda core, seconds: core.setExposure(label, seconds * 1000.0),
        check=check,
        topic=("exposure", label),
        busy=(label,),
        units="s",
        limits=limits,
    )


def roi_value(label: str, index: int) -> CoreValue[int]:
    """One field of the ROI (x, y, width, height in pixels); writing it keeps the others."""

    def write(core: Any, value: int) -> None:
        roi = [int(v) for v in core.getROI(label)]
        roi[index] = value
        core.setROI(label, *roi)

    return CoreValue(
        datatype=int,
        source=f"mm://{label}/ROI-{ROI_FIELDS[index]}",
        read=lambda core: core.getROI(label),
        convert=lambda roi: int(roi[index]),
        write=write,
        check=lambda value: _whole(value, f"ROI {ROI_FIELDS[index]}"),
        units="px",
        limits=(0, None),
    )


def image_format(core: Any, label: str) -> tuple[tuple[int, ...], np.dtype[Any], int]:
    """Return the frame shape, dtype and bit depth ``label`` produces now (on the worker)."""
    use_camera(core, label)
    height, width = int(core.getImageHeight()), int(core.getImageWidth())
    size, components = int(core.getBytesPerPixel()), int(core.getNumberOfComponents())
    bits = int(core.getImageBitDepth())
    if components == 1:
        return (height, width), np.dtype(_DTYPES[size]), bits
    return (height, width, components), np.dtype(np.uint8 if size == 4 else np.uint16), bits


def pixel_type_value(label: str) -> CoreValue[str]:
    """Micro-Manager's name of the pixel format: GRAY8, GRAY16, GRAY32, RGB32, RGB64."""

    def read(core: Any) -> str:
        use_camera(core, label)
        key = (int(core.getBytesPerPixel()), int(core.getNumberOfComponents()))
        return _PIXEL_TYPES.get(key, f"{key[0]} bytes x {key[1]}")

    return CoreValue(datatype=str, source=f"mm://{label}/PixelType", read=read, convert=str)


def bit_depth_value(label: str) -> CoreValue[int]:
    """The significant bits per pixel."""
    return CoreValue(
        datatype=int,
        source=f"mm://{label}/BitDepth",
        read=lambda core: image_format(core, label)[2],
        convert=int,
        units="bit",
    )


def pixel_size_value(label: str) -> CoreValue[float]:
    """The pixel size at the sample (µm), from the pixel-size configurations; 0 if none match."""

    def read(core: Any) -> float:
        use_camera(core, label)
        return pixel_size_um(core)

    return CoreValue(
        datatype=float,
        source=f"mm://{label}/PixelSize",
        read=read,
        convert=float,
        units="um",
    )


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise TypeError(f"{what} must be a number, got {value!r}")
    return float(value)


def _whole(value: Any, what: str) -> int:
    number = _number(value, what)
    if not number.is_integer() or number < 0:
        raise ValueError(f"{what} must be a whole number of pixels >= 0, got {value!r}")
    return int(number)

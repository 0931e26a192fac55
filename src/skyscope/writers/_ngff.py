"""OME-NGFF 0.5 image metadata (the ``ome`` attribute of an OME-Zarr image's root group)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._image_axes import AXIS_TYPES, ImageAxes

NGFF_VERSION = "0.5"
"""The OME-NGFF version skyscope writes (zarr v3 stores)."""

_COLORS = ("FFFFFF", "00FF00", "FF00FF", "00FFFF", "FF0000", "0000FF", "FFFF00")


def ngff_image(
    name: str,
    axes: ImageAxes,
    dtype: np.dtype[Any],
    array_path: str,
    windows: Sequence[tuple[float, float]] | None = None,
) -> dict[str, Any]:
    """Return the ``ome`` attribute: one multiscale (one level) and, with channels, omero.

    ``windows`` gives each channel's (min, max) seen in the data; without them the display
    window spans the pixel type's range.
    """
    names = axes.names()
    transforms: list[dict[str, Any]] = [
        {"type": "scale", "scale": [axes.scale(axis) for axis in names]}
    ]
    if axes.translation:
        transforms.append(
            {"type": "translation", "translation": [axes.offset(axis) for axis in names]}
        )
    multiscale = {
        "name": name,
        "axes": [_axis(axes, axis) for axis in names],
        "datasets": [{"path": array_path, "coordinateTransformations": transforms}],
    }
    ome: dict[str, Any] = {"version": NGFF_VERSION, "multiscales": [multiscale]}
    if "c" in axes.sizes:
        ome["omero"] = _omero(axes, dtype, windows)
    return ome


def _axis(axes: ImageAxes, name: str) -> dict[str, str]:
    axis = {"name": name, "type": AXIS_TYPES[name]}
    unit = axes.unit(name)
    if unit is not None:
        axis["unit"] = unit
    return axis


def _omero(
    axes: ImageAxes, dtype: np.dtype[Any], windows: Sequence[tuple[float, float]] | None
) -> dict[str, Any]:
    """Channel names, colours and display windows (from the data when known)."""
    low, high = _value_range(dtype)
    channels = []
    for i in range(axes.sizes["c"]):
        start, end = windows[i] if windows else (low, high)
        channels.append(
            {
                "label": axes.channel_name(i),
                "color": axes.channel_color(i) or _COLORS[i % len(_COLORS)],
                "active": True,
                "window": {"min": low, "max": high, "start": start, "end": end},
            }
        )
    return {"channels": channels}


def _value_range(dtype: np.dtype[Any]) -> tuple[float, float]:
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return float(info.min), float(info.max)
    return 0.0, 1.0

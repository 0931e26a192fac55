"""OME-NGFF 0.5 image metadata (the ``ome`` attribute of an OME-Zarr image's root group)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._image_axes import AXIS_TYPES, ImageAxes

NGFF_VERSION = "0.5"
"""The OME-NGFF version skyscope writes (zarr v3 stores)."""

_COLORS = ("FFFFFF", "00FF00", "FF00FF", "00FFFF", "FF0000", "0000FF", "FFFF00")


def ngff_image(name: str, axes: ImageAxes, dtype: np.dtype[Any], array_path: str) -> dict[str, Any]:
    """Return the ``ome`` attribute: one multiscale (one level) and, with channels, omero."""
    names = axes.names()
    multiscale = {
        "name": name,
        "axes": [_axis(axes, axis) for axis in names],
        "datasets": [
            {
                "path": array_path,
                "coordinateTransformations": [
                    {"type": "scale", "scale": [axes.scale(axis) for axis in names]}
                ],
            }
        ],
    }
    ome: dict[str, Any] = {"version": NGFF_VERSION, "multiscales": [multiscale]}
    if "c" in axes.sizes:
        ome["omero"] = _omero(axes, dtype)
    return ome


def _axis(axes: ImageAxes, name: str) -> dict[str, str]:
    axis = {"name": name, "type": AXIS_TYPES[name]}
    unit = axes.unit(name)
    if unit is not None:
        axis["unit"] = unit
    return axis


def _omero(axes: ImageAxes, dtype: np.dtype[Any]) -> dict[str, Any]:
    """Channel names and display windows spanning the pixel type's range."""
    low, high = _value_range(dtype)
    window = {"min": low, "max": high, "start": low, "end": high}
    return {
        "channels": [
            {
                "label": axes.channel_name(i),
                "color": _COLORS[i % len(_COLORS)],
                "active": True,
                "window": window,
            }
            for i in range(axes.sizes["c"])
        ]
    }


def _value_range(dtype: np.dtype[Any]) -> tuple[float, float]:
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return float(info.min), float(info.max)
    return 0.0, 1.0

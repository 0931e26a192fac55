"""OME-XML for an OME-TIFF written frame by frame, built with ome-types' models."""

from __future__ import annotations

from math import prod
from typing import Any

import numpy as np
from ome_types import OME
from ome_types.model import (
    Channel,
    Image,
    Pixels,
    Pixels_DimensionOrder,
    PixelType,
    Plane,
    TiffData,
    UnitsLength,
    UnitsTime,
)

from ._image_axes import ImageAxes

_PIXEL_TYPES = {
    "u1": PixelType.UINT8,
    "u2": PixelType.UINT16,
    "u4": PixelType.UINT32,
    "i1": PixelType.INT8,
    "i2": PixelType.INT16,
    "i4": PixelType.INT32,
    "f4": PixelType.FLOAT,
    "f8": PixelType.DOUBLE,
}


def ome_pixel_type(dtype: np.dtype[Any]) -> PixelType:
    """Return OME's pixel type for ``dtype``, or raise a ValueError naming what OME allows."""
    key = f"{dtype.kind}{dtype.itemsize}"
    if key not in _PIXEL_TYPES:
        raise ValueError(f"OME-TIFF cannot hold {dtype} pixels; use one of {sorted(_PIXEL_TYPES)}")
    return _PIXEL_TYPES[key]


def written_sizes(axes: ImageAxes, count: int) -> dict[str, int]:
    """Return t, c, z sizes that describe exactly ``count`` frames.

    All declared frames: the declared sizes. Fewer (a run cut short): the outermost axis is
    shortened when whole blocks are complete, otherwise the frames are described as a t series.
    """
    sizes = {name: axes.sizes.get(name, 1) for name in ("t", "c", "z")}
    if not axes.sizes:
        return {**sizes, "t": count}
    outer, *inner = axes.leading
    block = prod(axes.sizes[name] for name in inner)
    if count == axes.capacity or (count % block == 0 and count > 0):
        return {**sizes, outer: count // block}
    return {"t": count, "c": 1, "z": 1}


def ome_xml(
    name: str, axes: ImageAxes, frame_shape: tuple[int, ...], dtype: np.dtype[Any], count: int
) -> str:
    """Return the OME-XML of one image of ``count`` frames stored as TIFF pages in order."""
    sizes = written_sizes(axes, count)
    declared = sizes["c"] == axes.sizes.get("c", 1)
    pixels = Pixels(
        id="Pixels:0",
        dimension_order=Pixels_DimensionOrder.XYZCT,
        type=ome_pixel_type(dtype),
        big_endian=False,
        size_x=frame_shape[1],
        size_y=frame_shape[0],
        size_z=sizes["z"],
        size_c=sizes["c"],
        size_t=sizes["t"],
        channels=[
            Channel(
                id=f"Channel:0:{i}",
                name=axes.channel_name(i) if declared else f"channel {i}",
                samples_per_pixel=1,
            )
            for i in range(sizes["c"])
        ],
        tiff_data_blocks=[TiffData(ifd=0, plane_count=count)],
        planes=[_plane(i, sizes) for i in range(count)],
        **_physical_sizes(axes),
    )
    return OME(images=[Image(id="Image:0", name=name, pixels=pixels)], creator="skyscope").to_xml()


def _plane(index: int, sizes: dict[str, int]) -> Plane:
    """Plane ``index`` of an XYZCT image: z fastest, then c, then t."""
    rest, the_z = divmod(index, sizes["z"])
    the_t, the_c = divmod(rest, sizes["c"])
    return Plane(the_z=the_z, the_c=the_c, the_t=the_t)


def _physical_sizes(axes: ImageAxes) -> dict[str, Any]:
    """The Pixels attributes for the scales given (pixel sizes, z step, time increment)."""
    found: dict[str, Any] = {}
    for name in ("x", "y", "z"):
        if name in axes.scales:
            found[f"physical_size_{name}"] = axes.scale(name)
            found[f"physical_size_{name}_unit"] = _length_unit(axes.unit(name))
    if "t" in axes.scales:
        found["time_increment"] = axes.scale("t")
        found["time_increment_unit"] = UnitsTime[str(axes.unit("t")).upper()]
    return found


def _length_unit(unit: str | None) -> UnitsLength:
    return UnitsLength[str(unit).upper()]

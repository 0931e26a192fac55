"""OME-XML for OME-TIFFs written frame by frame (flat stacks and MDA images), via ome-types."""

from __future__ import annotations

import json
from math import prod
from typing import Any

import numpy as np
from ome_types import OME
from ome_types.model import (
    Channel,
    Image,
    Map,
    MapAnnotation,
    Pixels,
    Pixels_DimensionOrder,
    PixelType,
    Plane,
    StructuredAnnotations,
    TiffData,
    UnitsLength,
    UnitsTime,
)

from ._image_axes import ImageAxes
from ._image_set import ImageSpec

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
        planes=[_plane_at(i, sizes) for i in range(count)],
        **_physical_sizes(axes),
    )
    return OME(images=[Image(id="Image:0", name=name, pixels=pixels)], creator="skyscope").to_xml()


def _plane_at(index: int, sizes: dict[str, int]) -> Plane:
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


def image_ome(
    spec: ImageSpec,
    frame_shape: tuple[int, ...],
    dtype: np.dtype[Any],
    pages: list[tuple[int, ...]],
    not_taken: list[list[int]],
) -> OME:
    """The OME of one image whose frames are TIFF pages in arrival order (``pages``)."""
    axes = spec.axes
    sizes = {name: axes.sizes.get(name, 1) for name in ("t", "c", "z")}
    places = [dict(zip(axes.leading, coords, strict=True)) for coords in pages]
    annotation = MapAnnotation(
        id="Annotation:0",
        namespace="skyscope.org/mda",
        value=Map(ms=[Map.M(k="frames_not_taken", value=json.dumps(not_taken))]),
    )
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
        channels=[_channel(axes, i) for i in range(sizes["c"])],
        tiff_data_blocks=[
            TiffData(
                ifd=page,
                first_t=p.get("t", 0),
                first_c=p.get("c", 0),
                first_z=p.get("z", 0),
                plane_count=1,
            )
            for page, p in enumerate(places)
        ],
        planes=[_plane(axes, p) for p in places],
        **_physical_sizes(axes),
    )
    image = Image(
        id="Image:0", name=spec.name, pixels=pixels, annotation_refs=[{"id": "Annotation:0"}]
    )
    return OME(
        images=[image],
        creator="skyscope",
        structured_annotations=StructuredAnnotations(map_annotations=[annotation]),
    )


def _channel(axes: ImageAxes, index: int) -> Channel:
    color = axes.channel_color(index)
    extra: dict[str, Any] = {"color": f"#{color}FF"} if color else {}
    return Channel(
        id=f"Channel:0:{index}", name=axes.channel_name(index), samples_per_pixel=1, **extra
    )


def _plane(axes: ImageAxes, place: dict[str, int]) -> Plane:
    extra: dict[str, Any] = {}
    for name in ("x", "y"):
        if name in axes.translation:
            extra[f"position_{name}"] = axes.offset(name)
            extra[f"position_{name}_unit"] = UnitsLength.MICROMETER
    if "z" in axes.translation:
        extra["position_z"] = axes.offset("z") + place.get("z", 0) * axes.scale("z")
        extra["position_z_unit"] = UnitsLength.MICROMETER
    return Plane(the_t=place.get("t", 0), the_c=place.get("c", 0), the_z=place.get("z", 0), **extra)

"""One OME-XML builder for every writer and exporter: a plain description in, an ``OME`` out.

Frame writers (flat stacks, MDA images) and document exporters (runs) each describe their
images as ``OmeImage``/``OmePlane`` values; ``ome_model`` turns them into ome-types' model, so
pixel types, units, channels, planes, TIFF pages and annotations are spelt one way everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from ome_types import OME
from ome_types.model import (
    AnnotationRef,
    Channel,
    Image,
    Map,
    MapAnnotation,
    MetadataOnly,
    Pixels,
    Pixels_DimensionOrder,
    PixelType,
    Plane,
    StageLabel,
    StructuredAnnotations,
    TiffData,
    UnitsLength,
    UnitsTime,
)

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
_UM = UnitsLength.MICROMETER


def ome_pixel_type(dtype: np.dtype[Any]) -> PixelType:
    """Return OME's pixel type for ``dtype``, or raise a ValueError naming what OME allows."""
    key = f"{dtype.kind}{dtype.itemsize}"
    if key not in _PIXEL_TYPES:
        raise ValueError(f"OME-TIFF cannot hold {dtype} pixels; use one of {sorted(_PIXEL_TYPES)}")
    return _PIXEL_TYPES[key]


@dataclass(frozen=True)
class OmePlane:
    """One plane (frame) of an image: where it sits, and what is known of its acquisition."""

    t: int
    c: int
    z: int
    delta_t_s: float | None = None
    exposure_ms: float | None = None
    x_um: float | None = None
    y_um: float | None = None
    z_um: float | None = None


@dataclass(frozen=True)
class TiffPages:
    """Where an image's planes are among a TIFF's pages (IFDs), from ``first_ifd`` on.

    Without ``places`` the pages hold the planes in XYZCT order (z fastest); with them, page
    ``first_ifd + i`` holds plane ``places[i]`` as ``(t, c, z)`` (frames in arrival order).
    """

    first_ifd: int
    count: int
    places: Sequence[tuple[int, int, int]] | None = None


@dataclass(frozen=True)
class OmeImage:
    """One OME image: its size, physical steps, channels, planes, storage and annotations.

    ``physical`` maps an axis (``x``, ``y``, ``z``, ``t``) to its step and NGFF unit name
    (e.g. ``(0.325, "micrometer")``, ``(2.0, "second")``). ``tiff`` says where the planes are
    in a TIFF; without it the image is metadata only (its pixels live elsewhere, e.g. Zarr).
    """

    name: str
    sizes: Mapping[str, int]
    frame_shape: tuple[int, ...]
    dtype: np.dtype[Any]
    channel_names: Sequence[str]
    channel_colors: Sequence[str | None] = ()
    physical: Mapping[str, tuple[float, str]] = field(default_factory=dict)
    planes: Sequence[OmePlane] = ()
    tiff: TiffPages | None = None
    stage: tuple[float | None, float | None, float | None] | None = None
    acquired: datetime | None = None
    namespace: str = ""
    annotations: Mapping[str, str] = field(default_factory=dict)


def ome_model(images: Sequence[OmeImage]) -> OME:
    """Return the OME model describing ``images`` (image ``i`` gets the ids ``…:i``)."""
    described = [_image(number, image) for number, image in enumerate(images)]
    annotations = [
        _annotation(number, image) for number, image in enumerate(images) if image.annotations
    ]
    extra: dict[str, Any] = {}
    if annotations:
        extra["structured_annotations"] = StructuredAnnotations(map_annotations=annotations)
    return OME(images=described, creator="skyscope", **extra)


def ome_xml_bytes(ome: OME) -> bytes:
    """Return the OME-XML as 7-bit ASCII (as TIFF wants it; µ becomes a character reference)."""
    return ome.to_xml().encode("ascii", "xmlcharrefreplace")


def _image(number: int, image: OmeImage) -> Image:
    extra: dict[str, Any] = {}
    if image.annotations:
        extra["annotation_refs"] = [AnnotationRef(id=f"Annotation:{number}")]
    if image.acquired is not None:
        extra["acquisition_date"] = image.acquired
    return Image(
        id=f"Image:{number}",
        name=image.name,
        pixels=_pixels(number, image),
        stage_label=_stage_label(image),
        **extra,
    )


def _pixels(number: int, image: OmeImage) -> Pixels:
    sizes = {name: image.sizes.get(name, 1) for name in ("t", "c", "z")}
    storage: dict[str, Any] = (
        {"tiff_data_blocks": _tiff_data(image.tiff)}
        if image.tiff is not None
        else {"metadata_only": MetadataOnly()}
    )
    return Pixels(
        id=f"Pixels:{number}",
        dimension_order=Pixels_DimensionOrder.XYZCT,
        type=ome_pixel_type(image.dtype),
        big_endian=False,
        size_x=image.frame_shape[1],
        size_y=image.frame_shape[0],
        size_z=sizes["z"],
        size_c=sizes["c"],
        size_t=sizes["t"],
        channels=[_channel(number, image, c) for c in range(sizes["c"])],
        planes=[_plane(plane) for plane in image.planes],
        **storage,
        **_physical_sizes(image.physical),
    )


def _tiff_data(pages: TiffPages) -> list[TiffData]:
    if pages.places is None:
        return [TiffData(ifd=pages.first_ifd, plane_count=pages.count)]
    return [
        TiffData(ifd=pages.first_ifd + i, first_t=t, first_c=c, first_z=z, plane_count=1)
        for i, (t, c, z) in enumerate(pages.places)
    ]


def _channel(number: int, image: OmeImage, index: int) -> Channel:
    color = image.channel_colors[index] if image.channel_colors else None
    extra: dict[str, Any] = {"color": f"#{color}FF"} if color else {}
    return Channel(
        id=f"Channel:{number}:{index}",
        name=image.channel_names[index],
        samples_per_pixel=1,
        **extra,
    )


def _physical_sizes(physical: Mapping[str, tuple[float, str]]) -> dict[str, Any]:
    """The Pixels attributes for the steps known (pixel sizes, z step, time increment)."""
    found: dict[str, Any] = {}
    for name in ("x", "y", "z"):
        if name in physical:
            step, unit = physical[name]
            found[f"physical_size_{name}"] = step
            found[f"physical_size_{name}_unit"] = UnitsLength[unit.upper()]
    if "t" in physical:
        step, unit = physical["t"]
        found["time_increment"] = step
        found["time_increment_unit"] = UnitsTime[unit.upper()]
    return found


def _plane(plane: OmePlane) -> Plane:
    found: dict[str, Any] = {}
    for axis in ("x", "y", "z"):
        value = getattr(plane, f"{axis}_um")
        if value is not None:
            found.update({f"position_{axis}": value, f"position_{axis}_unit": _UM})
    if plane.exposure_ms is not None:
        found.update(exposure_time=plane.exposure_ms, exposure_time_unit=UnitsTime.MILLISECOND)
    if plane.delta_t_s is not None:
        found.update(delta_t=plane.delta_t_s, delta_t_unit=UnitsTime.SECOND)
    return Plane(the_t=plane.t, the_c=plane.c, the_z=plane.z, **found)


def _stage_label(image: OmeImage) -> StageLabel | None:
    if image.stage is None or (image.stage[0] is None and image.stage[1] is None):
        return None
    x, y, z = image.stage
    return StageLabel(name=image.name, x=x, x_unit=_UM, y=y, y_unit=_UM, z=z, z_unit=_UM)


def _annotation(number: int, image: OmeImage) -> MapAnnotation:
    return MapAnnotation(
        id=f"Annotation:{number}",
        namespace=image.namespace,
        value=Map(ms=[Map.M(k=key, value=value) for key, value in image.annotations.items()]),
    )

"""The OME-XML of an exported run: one Image per stage position, every plane described.

Each Image has Pixels in XYZCT order (z fastest, then c, then t: the OME axes t, c, z, y, x),
its channels named, physical pixel sizes, z step and time increment where known, a StageLabel
with the position's first stage coordinates, and one Plane per acquired frame with its DeltaT,
exposure time and stage position. Planes never acquired have no Plane element; they are zeros
in the pixel data and listed, as JSON ``[[t, c, z], ...]``, in the Image's map annotation
(namespace ``OME_ANNOTATION_NAMESPACE``, key ``missing_planes``; also ``repeated_planes``,
places acquired twice, the last kept; ``run_uid``; ``position``, the useq ``p`` and ``g``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

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
    Plane,
    StageLabel,
    StructuredAnnotations,
    TiffData,
    UnitsLength,
    UnitsTime,
)

from skyscope.writers import ome_pixel_type

from ._ome_images import Plane as RunPlane
from ._ome_images import PositionImage, RunImages

OME_ANNOTATION_NAMESPACE = "skyscope.exporters/ome-export"
"""The namespace of each Image's map annotation: run uid, position, planes missing/repeated."""

_UM = UnitsLength.MICROMETER


def run_ome(run: RunImages, *, tiff: bool) -> OME:
    """Return the OME model of ``run``; ``tiff`` adds where each plane is among the TIFF pages."""
    images: list[Image] = []
    annotations: list[MapAnnotation] = []
    first_page = 0
    for number, image in enumerate(run.images):
        annotation = _annotation(number, image, run)
        annotations.append(annotation)
        pixels = _pixels(number, image, run)
        if tiff:
            pixels.tiff_data_blocks = [TiffData(ifd=first_page, plane_count=len(image.places()))]
        else:
            pixels.metadata_only = MetadataOnly()
        first_page += len(image.places())
        images.append(
            Image(
                id=f"Image:{number}",
                name=image.name,
                acquisition_date=_acquired(run),
                stage_label=_stage_label(image),
                pixels=pixels,
                annotation_refs=[AnnotationRef(id=annotation.id)],
            )
        )
    return OME(
        images=images,
        structured_annotations=StructuredAnnotations(map_annotations=annotations),
        creator="skyscope",
    )


def ome_xml_bytes(ome: OME) -> bytes:
    """Return the OME-XML as 7-bit ASCII (as TIFF wants it; µ becomes a character reference)."""
    return ome.to_xml().encode("ascii", "xmlcharrefreplace")


def _pixels(number: int, image: PositionImage, run: RunImages) -> Pixels:
    sizes = image.sizes
    return Pixels(
        id=f"Pixels:{number}",
        dimension_order=Pixels_DimensionOrder.XYZCT,
        type=ome_pixel_type(run.dtype),
        big_endian=False,
        size_x=run.frame_shape[1],
        size_y=run.frame_shape[0],
        size_z=sizes["z"],
        size_c=sizes["c"],
        size_t=sizes["t"],
        channels=[
            Channel(id=f"Channel:{number}:{c}", name=run.channel_names[c], samples_per_pixel=1)
            for c in range(sizes["c"])
        ],
        planes=[_plane(image.planes[place]) for place in image.places() if place in image.planes],
        **_physical_sizes(image, run),
    )


def _physical_sizes(image: PositionImage, run: RunImages) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if run.pixel_size is not None:
        found.update(
            physical_size_y=run.pixel_size[0],
            physical_size_y_unit=_UM,
            physical_size_x=run.pixel_size[1],
            physical_size_x_unit=_UM,
        )
    z_step = image.z_step_um()
    if z_step is not None:
        found.update(physical_size_z=z_step, physical_size_z_unit=_UM)
    if run.time_increment_s is not None:
        found.update(time_increment=run.time_increment_s, time_increment_unit=UnitsTime.SECOND)
    return found


def _plane(plane: RunPlane) -> Plane:
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


def _stage_label(image: PositionImage) -> StageLabel | None:
    """The stage position of the image's first plane (in acquisition order)."""
    first = image.first
    if first.x_um is None and first.y_um is None:
        return None
    return StageLabel(
        name=image.name,
        x=first.x_um,
        x_unit=_UM,
        y=first.y_um,
        y_unit=_UM,
        z=first.z_um,
        z_unit=_UM,
    )


def _annotation(number: int, image: PositionImage, run: RunImages) -> MapAnnotation:
    p, g = image.position
    values = {
        "missing_planes": json.dumps([list(place) for place in image.missing]),
        "repeated_planes": json.dumps([list(place) for place in image.repeated]),
        "run_uid": str(run.start["uid"]),
        "position": json.dumps({"p": p, "g": g}),
    }
    return MapAnnotation(
        id=f"Annotation:{number}",
        namespace=OME_ANNOTATION_NAMESPACE,
        value=Map(ms=[Map.M(k=key, value=value) for key, value in values.items()]),
    )


def _acquired(run: RunImages) -> datetime | None:
    when = run.start.get("time")
    return datetime.fromtimestamp(when, UTC) if isinstance(when, int | float) else None

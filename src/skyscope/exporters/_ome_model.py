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

from ome_types import OME

from skyscope.writers import OmeImage, OmePlane, TiffPages, ome_model

from ._ome_images import Plane as RunPlane
from ._ome_images import PositionImage, RunImages

OME_ANNOTATION_NAMESPACE = "skyscope.exporters/ome-export"
"""The namespace of each Image's map annotation: run uid, position, planes missing/repeated."""


def run_ome(run: RunImages, *, tiff: bool) -> OME:
    """Return the OME model of ``run``; ``tiff`` adds where each plane is among the TIFF pages."""
    images: list[OmeImage] = []
    first_page = 0
    for image in run.images:
        pages = len(image.places())
        images.append(_describe(image, run, TiffPages(first_page, pages) if tiff else None))
        first_page += pages
    return ome_model(images)


def _describe(image: PositionImage, run: RunImages, pages: TiffPages | None) -> OmeImage:
    """One position as the OME builder's image description."""
    sizes = image.sizes
    first = image.first
    return OmeImage(
        name=image.name,
        sizes=sizes,
        frame_shape=run.frame_shape,
        dtype=run.dtype,
        channel_names=run.channel_names[: sizes["c"]],
        physical=_physical_steps(image, run),
        planes=[_plane(image.planes[place]) for place in image.places() if place in image.planes],
        tiff=pages,
        stage=(first.x_um, first.y_um, first.z_um),
        acquired=_acquired(run),
        namespace=OME_ANNOTATION_NAMESPACE,
        annotations=_annotations(image, run),
    )


def _physical_steps(image: PositionImage, run: RunImages) -> dict[str, tuple[float, str]]:
    found: dict[str, tuple[float, str]] = {}
    if run.pixel_size is not None:
        found["y"] = (run.pixel_size[0], "micrometer")
        found["x"] = (run.pixel_size[1], "micrometer")
    z_step = image.z_step_um()
    if z_step is not None:
        found["z"] = (z_step, "micrometer")
    if run.time_increment_s is not None:
        found["t"] = (run.time_increment_s, "second")
    return found


def _plane(plane: RunPlane) -> OmePlane:
    return OmePlane(
        t=plane.t,
        c=plane.c,
        z=plane.z,
        delta_t_s=plane.delta_t_s,
        exposure_ms=plane.exposure_ms,
        x_um=plane.x_um,
        y_um=plane.y_um,
        z_um=plane.z_um,
    )


def _annotations(image: PositionImage, run: RunImages) -> dict[str, str]:
    p, g = image.position
    return {
        "missing_planes": json.dumps([list(place) for place in image.missing]),
        "repeated_planes": json.dumps([list(place) for place in image.repeated]),
        "run_uid": str(run.start["uid"]),
        "position": json.dumps({"p": p, "g": g}),
    }


def _acquired(run: RunImages) -> datetime | None:
    when = run.start.get("time")
    return datetime.fromtimestamp(when, UTC) if isinstance(when, int | float) else None

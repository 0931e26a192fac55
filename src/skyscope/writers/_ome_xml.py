"""OME-XML for OME-TIFFs written frame by frame (flat stacks and MDA images).

Both describe their image as an ``OmeImage`` for the one builder (``_ome_description``).
"""

from __future__ import annotations

import json
from math import prod
from typing import Any

import numpy as np
from ome_types import OME

from ._image_axes import ImageAxes
from ._image_set import ImageSpec
from ._ome_description import OmeImage, OmePlane, TiffPages, ome_model

MDA_ANNOTATION_NAMESPACE = "skyscope.org/mda"
"""The namespace of an MDA image's map annotation (``frames_not_taken``)."""


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
    image = OmeImage(
        name=name,
        sizes=sizes,
        frame_shape=frame_shape,
        dtype=dtype,
        channel_names=[
            axes.channel_name(i) if declared else f"channel {i}" for i in range(sizes["c"])
        ],
        physical=physical_steps(axes),
        planes=[_plane_at(i, sizes) for i in range(count)],
        tiff=TiffPages(first_ifd=0, count=count),
    )
    return ome_model([image]).to_xml()


def _plane_at(index: int, sizes: dict[str, int]) -> OmePlane:
    """Plane ``index`` of an XYZCT image: z fastest, then c, then t."""
    rest, the_z = divmod(index, sizes["z"])
    the_t, the_c = divmod(rest, sizes["c"])
    return OmePlane(t=the_t, c=the_c, z=the_z)


def physical_steps(axes: ImageAxes) -> dict[str, tuple[float, str]]:
    """The steps ``axes`` gives (pixel sizes, z step, time increment) with their units."""
    return {
        name: (axes.scale(name), str(axes.unit(name)))
        for name in ("x", "y", "z", "t")
        if name in axes.scales
    }


def image_ome(
    spec: ImageSpec,
    frame_shape: tuple[int, ...],
    dtype: np.dtype[Any],
    pages: list[tuple[int, ...]],
    not_taken: list[list[int]],
) -> OME:
    """The OME of one image whose frames are TIFF pages in arrival order (``pages``)."""
    axes = spec.axes
    places = [dict(zip(axes.leading, coords, strict=True)) for coords in pages]
    image = OmeImage(
        name=spec.name,
        sizes={name: axes.sizes.get(name, 1) for name in ("t", "c", "z")},
        frame_shape=frame_shape,
        dtype=dtype,
        channel_names=[axes.channel_name(i) for i in range(axes.sizes.get("c", 1))],
        channel_colors=[axes.channel_color(i) for i in range(axes.sizes.get("c", 1))],
        physical=physical_steps(axes),
        planes=[_placed_plane(axes, p) for p in places],
        tiff=TiffPages(
            first_ifd=0,
            count=len(places),
            places=[(p.get("t", 0), p.get("c", 0), p.get("z", 0)) for p in places],
        ),
        namespace=MDA_ANNOTATION_NAMESPACE,
        annotations={"frames_not_taken": json.dumps(not_taken)},
    )
    return ome_model([image])


def _placed_plane(axes: ImageAxes, place: dict[str, int]) -> OmePlane:
    """A plane at ``place``, positioned by the image's translation (the stage position)."""
    z_um = None
    if "z" in axes.translation:
        z_um = axes.offset("z") + place.get("z", 0) * axes.scale("z")
    return OmePlane(
        t=place.get("t", 0),
        c=place.get("c", 0),
        z=place.get("z", 0),
        x_um=axes.offset("x") if "x" in axes.translation else None,
        y_um=axes.offset("y") if "y" in axes.translation else None,
        z_um=z_um,
    )

"""A run as one OME-Zarr store: NGFF 0.5's bioformats2raw layout, one image per position.

Layout of ``<stem>.ome.zarr`` (zarr v3)::

    zarr.json                 {"ome": {"version": "0.5", "bioformats2raw.layout": 3}}
    OME/zarr.json             {"ome": {"version": "0.5", "series": ["0", "1", ...]}}
    OME/METADATA.ome.xml      the OME-XML: every position, channel and plane (DeltaT, stage)
    0/zarr.json               position 0: NGFF multiscales (axes t, c, z, y, x) and omero
    0/0/                      its (t, c, z, y, x) array, one chunk per plane
    1/ ...

Each position's image also carries ``skyscope`` attributes: the run uid, its useq position
and grid indices, and the planes never acquired (zeros: chunks never written).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import zarr
from zarr.abc.codec import BytesBytesCodec

from skyscope.writers import ARRAY_PATH, NGFF_VERSION, ImageAxes, ngff_image, ome_xml_bytes

from ._ome_frames import ResourceFrames
from ._ome_images import PositionImage, RunImages
from ._ome_model import run_ome

OME_XML_PATH = "OME/METADATA.ome.xml"
"""Where the OME-XML of the whole run sits in the store."""

BIOFORMATS2RAW_LAYOUT = 3
"""The bioformats2raw layout version (the NGFF transitional spec for several images)."""


def write_ome_zarr(
    path: Path, run: RunImages, files: ResourceFrames, compressor: BytesBytesCodec | None
) -> None:
    """Write the run's images to a new store at ``path`` (refused if it exists)."""
    if path.exists():
        raise FileExistsError(f"{path} exists already")
    root = zarr.open_group(path, mode="w-", zarr_format=3)
    root.attrs["ome"] = {"version": NGFF_VERSION, "bioformats2raw.layout": BIOFORMATS2RAW_LAYOUT}
    series = [str(number) for number in range(len(run.images))]
    root.create_group("OME").attrs["ome"] = {"version": NGFF_VERSION, "series": series}
    (path / OME_XML_PATH).write_bytes(ome_xml_bytes(run_ome(run, tiff=False)))
    little = run.dtype.newbyteorder("<") if run.dtype.byteorder == ">" else run.dtype
    for name, image in zip(series, run.images, strict=True):
        group = root.create_group(name)
        group.attrs.update(_image_attrs(image, run))
        sizes = image.sizes
        array = group.create_array(
            ARRAY_PATH,
            shape=(sizes["t"], sizes["c"], sizes["z"], *run.frame_shape),
            chunks=(1, 1, 1, *run.frame_shape),
            dtype=little,
            fill_value=0,
            compressors=compressor,
            dimension_names=("t", "c", "z", "y", "x"),
        )
        for place in image.planes:
            array[place] = run.frame(image, place, files)


def _image_attrs(image: PositionImage, run: RunImages) -> dict[str, Any]:
    """The image group's attributes: NGFF metadata and skyscope's own."""
    p, g = image.position
    return {
        "ome": ngff_position(image, run),
        "skyscope": {
            "run_uid": run.start["uid"],
            "position": {"p": p, "g": g},
            "missing_planes": [list(place) for place in image.missing],
            "repeated_planes": [list(place) for place in image.repeated],
        },
    }


def ngff_position(image: PositionImage, run: RunImages) -> dict[str, Any]:
    """Return the NGFF ``ome`` attribute of one position: axes t, c, z, y, x with scales.

    Units are given only where the scale is known. With the pixel size known, a translation
    places the image's centre at the stage position of its first frame (the camera's axes taken
    along the stage's) and z 0 at that frame's focus. Built by the writers' one NGFF builder.
    """
    sizes = image.sizes
    scales: dict[str, float] = {}
    if run.time_increment_s is not None:
        scales["t"] = run.time_increment_s
    z_step = image.z_step_um()
    if z_step is not None:
        scales["z"] = z_step
    if run.pixel_size is not None:
        scales["y"], scales["x"] = run.pixel_size
    axes = ImageAxes(
        sizes=sizes,
        scales=scales,
        channel_names=run.channel_names[: sizes["c"]],
        translation=_translation(image, run, z_step),
    )
    return ngff_image(image.name, axes, run.dtype, ARRAY_PATH)


def _translation(image: PositionImage, run: RunImages, z_step: float | None) -> dict[str, float]:
    """Where pixel (0, 0) of plane z = 0 is, in micrometers (none without the pixel size)."""
    first = image.first
    if run.pixel_size is None or first.x_um is None or first.y_um is None:
        return {}
    rows, columns = run.frame_shape
    y0 = first.y_um - (rows / 2 - 0.5) * run.pixel_size[0]
    x0 = first.x_um - (columns / 2 - 0.5) * run.pixel_size[1]
    z0 = 0.0 if first.z_um is None else first.z_um - first.z * (z_step or 0.0)
    return {"z": z0, "y": y0, "x": x0}

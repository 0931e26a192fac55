"""OMEZarrFrameWriter: frames read back by zarr, NGFF 0.5 metadata validated by yaozarrs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaozarrs
import zarr
from _writer_helpers import make_frame

from skyscope.writers import FrameWriter, ImageAxes, OMEZarrFrameWriter

AXES = ImageAxes(
    sizes={"t": 3, "c": 2, "z": 2},
    scales={"t": 2.5, "z": 1.5, "y": 0.65, "x": 0.65},
    units={"t": "millisecond"},
    channel_names=["DAPI", "GFP"],
)


@pytest.mark.parametrize("compression", [None, "zstd", "gzip", "lz4"])
async def test_frames_fill_the_declared_axes_in_c_order(
    tmp_path: Path, compression: str | None
) -> None:
    store = tmp_path / "image.ome.zarr"
    writer = OMEZarrFrameWriter(store, axes=AXES, compression=compression)  # type: ignore[arg-type]
    assert isinstance(writer, FrameWriter)
    keys = await writer.open("cam", (32, 48), np.uint16)
    assert keys["cam"]["external"] == "STREAM:"
    frames = [make_frame(i) for i in range(12)]
    for frame in frames:
        await writer.write(frame)
    with pytest.raises(ValueError, match="holds 12 frame"):
        await writer.write(make_frame(12))
    await writer.close()
    (resource, datum) = list(writer.collect_stream_docs(12))
    assert resource[1]["mimetype"] == "application/x-zarr"
    assert resource[1]["parameters"] == {"path": "0"}
    assert resource[1]["uri"] == "file://localhost" + str(store)
    assert datum[1]["indices"] == {"start": 0, "stop": 12}

    array = zarr.open_array(store / "0", mode="r")
    assert array.shape == (3, 2, 2, 32, 48)
    assert array.metadata.dimension_names == ("t", "c", "z", "y", "x")
    flat = array[...].reshape(-1, 32, 48)
    for i, frame in enumerate(frames):
        assert flat[i].tobytes() == frame.tobytes()
    assert array[2, 1, 0].tobytes() == frames[2 * 4 + 1 * 2 + 0].tobytes()


async def test_ngff_metadata_is_valid_and_complete(tmp_path: Path) -> None:
    store = tmp_path / "image.ome.zarr"
    writer = OMEZarrFrameWriter(store, axes=AXES)
    await writer.open("cam", (32, 48), np.uint16)
    await writer.close()
    _check_metadata(store)


def _check_metadata(store: Path) -> None:
    yaozarrs.validate_zarr_store(str(store))
    ome = json.loads((store / "zarr.json").read_text())["attributes"]["ome"]
    assert ome["version"] == "0.5"
    (multiscale,) = ome["multiscales"]
    assert multiscale["axes"] == [
        {"name": "t", "type": "time", "unit": "millisecond"},
        {"name": "c", "type": "channel"},
        {"name": "z", "type": "space", "unit": "micrometer"},
        {"name": "y", "type": "space", "unit": "micrometer"},
        {"name": "x", "type": "space", "unit": "micrometer"},
    ]
    (dataset,) = multiscale["datasets"]
    assert dataset["path"] == "0"
    assert dataset["coordinateTransformations"] == [
        {"type": "scale", "scale": [2.5, 1.0, 1.5, 0.65, 0.65]}
    ]
    assert [c["label"] for c in ome["omero"]["channels"]] == ["DAPI", "GFP"]
    assert ome["omero"]["channels"][0]["window"]["end"] == 65535


async def test_growing_stack_length_follows_acknowledged_frames(tmp_path: Path) -> None:
    writer = OMEZarrFrameWriter(tmp_path / "run")
    await writer.open("cam", (32, 48), ">u2")
    for i in range(5):
        await writer.write(make_frame(i).astype(">u2"))
    assert await writer.flush() == 5
    assert writer.path is not None
    live = zarr.open_array(writer.path / "0", mode="r")
    assert live.shape == (5, 32, 48)
    for i in range(5, 9):
        await writer.write(make_frame(i).astype(">u2"))
    await writer.close()
    final = zarr.open_array(writer.path / "0", mode="r")
    assert final.shape == (9, 32, 48)
    assert [final[i].tobytes() == make_frame(i).tobytes() for i in range(9)] == [True] * 9
    assert final[0].astype(">u2").tobytes() == make_frame(0).astype(">u2").tobytes()
    yaozarrs.validate_zarr_store(str(writer.path))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sizes": {"p": 2}}, "leading axes must be among t, c, z"),
        ({"sizes": {"t": 0}}, "positive integers"),
        ({"scales": {"c": 1.0}}, "scales are for axes t, z, y, x"),
        ({"scales": {"x": -1.0}}, "positive"),
        ({"units": {"x": "parsnip"}}, "not an OME unit"),
        ({"sizes": {"c": 2}, "channel_names": ["one"]}, "1 channel name"),
    ],
)
def test_bad_axes_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ImageAxes(**kwargs)  # type: ignore[arg-type]


async def test_frames_must_be_two_dimensional(tmp_path: Path) -> None:
    writer = OMEZarrFrameWriter(tmp_path / "x.ome.zarr")
    with pytest.raises(ValueError, match=r"2-D \(y, x\)"):
        await writer.open("cam", (2, 32, 48), np.uint16)


async def test_a_stack_without_known_scales_claims_no_units(tmp_path: Path) -> None:
    # A flat stack's writer cannot know the pixel size or the frame interval: a unit would
    # claim 1 µm pixels and 1 s between frames, as it once did.
    writer = OMEZarrFrameWriter(tmp_path / "flat.ome.zarr")
    await writer.open("cam", (32, 48), "<u2")
    await writer.write(make_frame(0))
    await writer.close()
    ome = zarr.open_group(str(tmp_path / "flat.ome.zarr"), mode="r").attrs["ome"]
    axes = ome["multiscales"][0]["axes"]
    assert [axis.get("unit") for axis in axes] == [None, None, None]
    yaozarrs.validate_zarr_store(str(tmp_path / "flat.ome.zarr"))

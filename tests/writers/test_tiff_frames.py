"""OMETiffFrameWriter: pages read back by tifffile, OME-XML parsed by ome-types."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tifffile
from _writer_helpers import make_frame
from ome_types import from_xml
from ome_types.model import UnitsLength

from skyscope.writers import FrameWriter, ImageAxes, OMETiffFrameWriter

AXES = ImageAxes(
    sizes={"t": 3, "c": 2}, scales={"y": 0.65, "x": 0.65, "t": 2.0}, channel_names=["DAPI", "GFP"]
)


def _read(path: Path) -> tuple[list[np.ndarray], str, tuple[int, ...]]:
    with tifffile.TiffFile(path) as tif:
        assert tif.is_ome
        pages = [page.asarray() for page in tif.series[0].pages]  # type: ignore[union-attr]
        return pages, tif.ome_metadata or "", tif.series[0].shape


async def test_pages_are_the_frames_and_ome_metadata_is_right(tmp_path: Path) -> None:
    path = tmp_path / "image.ome.tif"
    writer = OMETiffFrameWriter(path, axes=AXES)
    assert isinstance(writer, FrameWriter)
    await writer.open("cam", (32, 48), np.uint16)
    frames = [make_frame(i) for i in range(6)]
    for frame in frames:
        await writer.write(frame)
    await writer.close()
    (resource, _) = list(writer.collect_stream_docs(6))
    assert resource[1]["mimetype"] == "multipart/related;type=image/tiff"
    assert resource[1]["parameters"] == {}

    pages, xml, shape = _read(path)
    assert [p.tobytes() for p in pages] == [f.tobytes() for f in frames]
    assert shape == (3, 2, 32, 48)
    pixels = from_xml(xml).images[0].pixels
    assert (pixels.size_t, pixels.size_c, pixels.size_z) == (3, 2, 1)
    assert (pixels.size_x, pixels.size_y) == (48, 32)
    assert pixels.dimension_order.value == "XYZCT"
    assert pixels.type.value == "uint16"
    assert pixels.physical_size_x == 0.65
    assert pixels.physical_size_x_unit == UnitsLength.MICROMETER
    assert pixels.time_increment == 2.0
    assert [c.name for c in pixels.channels] == ["DAPI", "GFP"]
    assert [(p.the_t, p.the_c) for p in pixels.planes] == [(t, c) for t in range(3) for c in (0, 1)]


@pytest.mark.parametrize(
    ("count", "sizes"),
    [(4, (2, 2, 1)), (3, (3, 1, 1)), (0, None)],
    ids=["whole-t", "ragged", "none"],
)
async def test_a_run_cut_short_still_gives_a_valid_file(
    tmp_path: Path, count: int, sizes: tuple[int, int, int] | None
) -> None:
    path = tmp_path / "short.ome.tif"
    writer = OMETiffFrameWriter(path, axes=AXES)
    await writer.open("cam", (32, 48), np.float32)
    for i in range(count):
        await writer.write(make_frame(i).astype(np.float32))
    await writer.close()
    if sizes is None:
        return
    pages, xml, _ = _read(path)
    assert len(pages) == count
    assert pages[-1].tobytes() == make_frame(count - 1).astype(np.float32).tobytes()
    pixels = from_xml(xml).images[0].pixels
    assert (pixels.size_t, pixels.size_c, pixels.size_z) == sizes
    assert pixels.type.value == "float"


async def test_a_growing_series_and_a_directory(tmp_path: Path) -> None:
    writer = OMETiffFrameWriter(tmp_path / "run")
    await writer.open("cam", (32, 48), np.uint8)
    for i in range(7):
        await writer.write(make_frame(i).astype(np.uint8))
    await writer.close()
    assert writer.path is not None
    assert writer.path.name.endswith(".ome.tif")
    pages, xml, _ = _read(writer.path)
    assert len(pages) == 7
    assert from_xml(xml).images[0].pixels.size_t == 7


async def test_pixel_types_ome_cannot_hold_are_refused(tmp_path: Path) -> None:
    writer = OMETiffFrameWriter(tmp_path / "x.ome.tif")
    with pytest.raises(ValueError, match="OME-TIFF cannot hold complex64"):
        await writer.open("cam", (4, 4), np.complex64)

"""TIFF series read back with tifffile, page by page beside the sidecar CSV's rows."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import tifffile
from _export_helpers import microscope

from skyscope.engine import Engine
from skyscope.exporters import TiffSeriesExporter
from skyscope.plans import count


async def test_each_image_field_is_a_multipage_tiff_beside_its_scalars(tmp_path: Path) -> None:
    scope = await microscope()  # frames carried inline in the events
    frames: list[np.ndarray] = []
    engine = Engine(md={}, handle_sigint=False)
    engine.subscribe(
        lambda name, doc: name == "event" and frames.append(doc["data"]["scope-camera-image"])
    )
    exporter = TiffSeriesExporter(tmp_path)
    engine.subscribe(exporter)
    await engine(count([scope.camera], 6))
    exporter.close()
    tiff = next(p for p in exporter.paths if p.suffix == ".tif")
    sidecar = next(p for p in exporter.paths if p.suffix == ".csv")
    assert tiff.name.endswith("-primary-scope-camera-image.tif")
    with tifffile.TiffFile(tiff) as file:
        stack = file.series[0].asarray()
    assert stack.shape == (6, *frames[0].shape)
    assert stack.dtype == frames[0].dtype
    for page, frame in zip(stack, frames, strict=True):
        np.testing.assert_array_equal(page, frame)
    with sidecar.open() as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["time", "seq_num", "scope-camera-mean"]
    assert [int(row[1]) for row in rows[1:]] == [1, 2, 3, 4, 5, 6]
    means = [float(row[2]) for row in rows[1:]]
    np.testing.assert_allclose(means, [frame.mean() for frame in frames], rtol=1e-6)

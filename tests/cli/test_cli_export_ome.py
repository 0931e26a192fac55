"""``skyscope export RUN --format ome-zarr|ome-tiff``: a stored MDA as one image per position.

The run is acquired with ``skyscope run`` into a catalog; the export reads the catalog's
documents and the frames where the run wrote them, and the formats' own readers (yaozarrs and
zarr, tifffile and ome-types) read the result back: every frame the catalog holds is the plane
its event names.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tifffile
import yaml
import yaozarrs
import zarr
from ome_types import from_xml

from skyscope.broker import Catalog
from skyscope.cli import main
from skyscope.devices.sim import Microscope, SensorSpec
from skyscope.engine import Engine
from skyscope.plans import count

SEQUENCE = {
    "stage_positions": [
        {"x": 0.0, "y": 0.0, "z": 2500.0, "name": "first"},
        {"x": 30.0, "y": -20.0, "z": 2501.0, "name": "second"},
    ],
    "channels": ["DAPI", {"config": "FITC", "acquire_every": 2}],
    "z_plan": {"range": 1, "step": 1},
    "time_plan": {"interval": 0, "loops": 3},
}
SIZE = 32


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A catalog holding one MDA acquired by ``skyscope run`` (its frames in an OME-Zarr)."""
    folder = tmp_path_factory.mktemp("stored")
    sequence = folder / "cells.yaml"
    sequence.write_text(yaml.safe_dump(SEQUENCE))
    catalog = folder / "catalog.sqlite"
    args = ["run", str(sequence), "-o", str(folder / "acquired.ome.zarr")]
    assert main([*args, "--catalog", str(catalog), "--frame-size", str(SIZE)]) == 0
    return catalog


def _export(catalog: Path, fmt: str, to: Path) -> Path:
    assert main(["export", "-1", "--format", fmt, "--to", str(to), "--catalog", str(catalog)]) == 0
    (path,) = to.iterdir()
    return path


Place = tuple[int, ...]


def _catalog_frames(catalog: Path) -> list[tuple[Place, np.ndarray]]:
    """((p, t, c, z), frame) of each primary event, as the catalog holds them."""
    with Catalog(catalog, readonly=True) as store:
        primary = store[-1]["primary"]
        data = primary.read()
        frames = np.asarray(primary.frames("scope-camera-image"))
        places = zip(*(data[k].values for k in ("p", "t", "c", "z")), strict=True)
        return [
            (tuple(int(v) for v in place), frame)
            for place, frame in zip(places, frames, strict=True)
        ]


def _check(pixels: list[np.ndarray], catalog: Path) -> None:
    taken = _catalog_frames(catalog)
    assert len(taken) == 2 * (3 + 2) * 2  # positions x (DAPI 3 t + FITC 2 t) x z
    for (p, t, c, z), frame in taken:
        np.testing.assert_array_equal(pixels[p][t, c, z], frame)
    for image in pixels:
        assert image.shape == (3, 2, 2, SIZE, SIZE)
        assert not image[1, 1].any()  # FITC at t = 1 was never taken: zeros, not shifted


def test_export_as_ome_zarr(
    stored: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _export(stored, "ome-zarr", tmp_path / "out")
    assert capsys.readouterr().out.strip() == str(path)
    yaozarrs.validate_zarr_store(str(path))
    root = zarr.open_group(str(path), mode="r")
    _check([np.asarray(root[f"{i}/0"]) for i in (0, 1)], stored)
    ome = from_xml((path / "OME" / "METADATA.ome.xml").read_text())
    assert [image.name for image in ome.images] == ["first", "second"]
    assert [c.name for c in ome.images[0].pixels.channels] == ["DAPI", "FITC"]


def test_export_as_ome_tiff(stored: Path, tmp_path: Path) -> None:
    path = _export(stored, "ome-tiff", tmp_path / "out")
    with tifffile.TiffFile(path) as tif:
        ome = from_xml(tif.ome_metadata)
        pixels = [series.asarray() for series in tif.series]
    assert [image.pixels.size_z for image in ome.images] == [2, 2]
    assert ome.images[1].pixels.planes[0].position_x == pytest.approx(30.0)
    _check(pixels, stored)


async def test_a_run_without_frames_is_refused_saying_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = tmp_path / "catalog.sqlite"
    scope = Microscope(sensor=SensorSpec(shape=(8, 8)))
    await scope.connect()
    with Catalog(catalog) as store:
        engine = Engine(md={}, handle_sigint=False)
        engine.subscribe(store)
        await engine(count([scope.focus], 2))
    args = ["export", "-1", "--format", "ome-zarr", "--to", str(tmp_path / "out")]
    assert main([*args, "--catalog", str(catalog)]) == 1
    err = capsys.readouterr().err
    assert "skyscope export: error:" in err
    assert "ome-zarr" in err

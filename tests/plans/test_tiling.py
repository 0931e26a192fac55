"""Tiled acquisition with overlap, and the mosaic placed by stage coordinates."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from _docs import stream_events
from _sim_scope import make_scope, release

from skyscope.engine import Engine
from skyscope.plans import Tile, stitch, tile_scan, tile_sequence

PIXEL_UM = 0.5


def _cut(image: np.ndarray, x_um: float, y_um: float, size: int) -> Tile:
    """The tile a camera centred on (x, y) would see of ``image`` (pixel (0, 0) at 0 µm)."""
    row = round(y_um / PIXEL_UM - size / 2)
    col = round(x_um / PIXEL_UM - size / 2)
    return Tile(x_um, y_um, image[row : row + size, col : col + size])


def test_stitched_tiles_rebuild_the_field_they_were_cut_from() -> None:
    image = np.random.default_rng(0).integers(0, 4000, (100, 140)).astype(np.uint16)
    size, step = 40, 30  # a quarter overlap
    tiles = [
        _cut(image, (20 + c * step) * PIXEL_UM, (20 + r * step) * PIXEL_UM, size)
        for r in range(3)
        for c in range(4)
    ]
    mosaic = stitch(tiles[::-1], PIXEL_UM)  # any order
    assert mosaic.shape == (100, 130)
    np.testing.assert_array_equal(mosaic, image[:, :130].astype(np.float32))


def test_stitch_refuses_mixed_tiles() -> None:
    with pytest.raises(ValueError, match="one shape"):
        stitch([Tile(0, 0, np.zeros((4, 4))), Tile(1, 1, np.zeros((4, 5)))], 1.0)
    with pytest.raises(ValueError, match="at least one"):
        stitch([], 1.0)


def test_a_tile_grid_is_a_useq_grid_with_overlap() -> None:
    sequence = tile_sequence((100.0, -50.0), rows=2, columns=3, field_of_view_um=(40, 30))
    xs = sorted({e.x_pos for e in sequence})
    ys = sorted({e.y_pos for e in sequence})
    assert np.diff(xs) == pytest.approx([36.0, 36.0])  # 10 % overlap
    assert np.diff(ys) == pytest.approx([27.0])
    assert np.mean(xs) == pytest.approx(100.0)
    assert np.mean(ys) == pytest.approx(-50.0)
    with pytest.raises(ValueError, match="overlap"):
        tile_sequence((0, 0), rows=1, columns=1, field_of_view_um=(1, 1), overlap=1.0)


async def test_a_tile_scan_acquires_the_grid_and_stitches_by_stage_position() -> None:
    scope = await make_scope(mode="physics", shape=(64, 64))
    engine = Engine(md={}, handle_sigint=False)
    docs: list[tuple[str, Any]] = []
    engine.subscribe(lambda name, doc: docs.append((name, doc)))
    pixel = scope.model.pixel_size_um()
    fov = (64 * pixel, 64 * pixel)
    try:
        await engine(
            tile_scan(scope, rows=2, columns=2, field_of_view_um=fov, overlap=0.25, channel="FITC")
        )
    finally:
        await release(scope)

    events = [doc["data"] for doc in stream_events(docs)]
    assert [e["g"] for e in events] == [0, 1, 2, 3]
    tiles = [Tile(e["x_um"], e["y_um"], e["scope-camera-image"]) for e in events]
    mosaic = stitch(tiles, pixel)
    assert mosaic.shape == (64 + 48, 64 + 48)
    start = next(doc for name, doc in docs if name == "start")
    assert start["plan_name"] == "tile_scan"
    assert start["tiles"] == [2, 2]

"""The demo's labelled pictures: one contrast per channel, colours, scale bars, fields marked."""

from __future__ import annotations

import io

import numpy as np
import pytest

from skyscope.cli._demo_preview import (
    Field,
    Mosaic,
    channel_color,
    display_window,
    mosaic_png,
    preview_png,
    scale_bar_um,
    tinted,
)

matplotlib_image = pytest.importorskip("matplotlib.image")


def _read_png(data: bytes) -> np.ndarray:
    return np.asarray(matplotlib_image.imread(io.BytesIO(data), format="png"))


def test_one_contrast_per_channel_spans_every_position() -> None:
    dim, bright = np.full((8, 8), 100.0), np.full((8, 8), 1000.0)
    bright[0, 0] = 5000.0
    start, end = display_window([dim, bright], low=0.0, high=100.0)
    assert (start, end) == (100.0, 5000.0)
    level = tinted(dim, (start, end), "#00FF00")
    assert level.shape == (8, 8, 3)
    assert not level.any()  # the window's start: black
    full = tinted(bright, (start, end), "#00FF00")
    assert full[0, 0].tolist() == [0.0, 1.0, 0.0]  # the window's end: the channel's colour


def test_channel_colours_and_scale_bars() -> None:
    assert channel_color("DAPI", 0) != channel_color("FITC", 1)
    assert channel_color("mystery", 0).startswith("#")
    assert scale_bar_um(83.2) == 20.0  # about a quarter of the width, rounded down
    assert scale_bar_um(0.5) == 1.0


def _mosaic() -> Mosaic:
    image = np.zeros((200, 300), np.float32)
    image[50:150, 100:200] = 1000.0
    return Mosaic(image, left_um=-150.0, top_um=-100.0, pixel_um=1.0)


def test_the_preview_draws_each_channel_in_its_colour_beside_the_mosaic() -> None:
    rng = np.random.default_rng(1)
    frame = rng.integers(100, 200, (64, 64)).astype(np.uint16)
    mips = [[frame, frame], [frame, frame]]
    fields = [Field("cell-1", 0.0, 0.0), Field("cell-2", 5000.0, 0.0)]
    png = preview_png(mips, fields, ["DAPI", "FITC"], 0.65, "time point 1 of 1", _mosaic())
    rgb = _read_png(png)[..., :3]
    height, width = rgb.shape[:2]
    assert width > height > 200
    blue = (rgb[..., 2] > 0.5) & (rgb[..., 0] < 0.5) & (rgb[..., 1] < 0.7)
    green = (rgb[..., 1] > 0.5) & (rgb[..., 0] < 0.5) & (rgb[..., 2] < 0.5)
    assert blue[:, : width // 4].sum() > 500  # the DAPI column is blue
    assert green[:, width // 4 : width // 2].sum() > 500  # the FITC column is green


def test_the_mosaic_marks_the_fields_in_view() -> None:
    fields = [Field("cell-1", 0.0, 0.0)]
    plain = _read_png(mosaic_png(_mosaic(), [], (40, 40)))[..., :3]
    marked = _read_png(mosaic_png(_mosaic(), fields, (40, 40)))[..., :3]
    yellow = (marked[..., 0] > 0.8) & (marked[..., 1] > 0.6) & (marked[..., 2] < 0.4)
    assert yellow.sum() > 100  # the field's outline and name
    assert not ((plain[..., 0] > 0.8) & (plain[..., 1] > 0.6) & (plain[..., 2] < 0.4)).any()


def test_a_preview_needs_one_projection_per_position_and_channel() -> None:
    frame = np.zeros((8, 8))
    with pytest.raises(ValueError, match="one projection per position and channel"):
        preview_png([[frame]], [Field("a", 0, 0)], ["DAPI", "FITC"], 1.0, "", _mosaic())
    with pytest.raises(ValueError, match="at least one position"):
        preview_png([], [], ["DAPI"], 1.0, "", _mosaic())

"""Stitch tiles into one mosaic, each placed by the stage position it was taken at.

No registration: the stage coordinates are trusted (what a preview needs). Tiles are averaged
where they overlap. Image columns follow +x and rows +y, as the camera sees the stage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class Tile:
    """One frame and the stage position (µm) of its centre."""

    x_um: float
    y_um: float
    frame: npt.NDArray[np.number]


def stitch(tiles: Sequence[Tile], pixel_size_um: float) -> npt.NDArray[np.float32]:
    """Return the mosaic of ``tiles`` (float32, averaged in overlaps, zero where none reaches)."""
    if not tiles:
        raise ValueError("stitch needs at least one tile")
    if not pixel_size_um > 0:
        raise ValueError(f"pixel_size_um must be > 0, got {pixel_size_um}")
    shapes = {t.frame.shape for t in tiles}
    if len(shapes) != 1 or len(next(iter(shapes))) != 2:
        raise ValueError(f"tiles must be 2-D frames of one shape, got {sorted(shapes)}")
    rows, cols = tiles[0].frame.shape
    corners = [_corner_px(t, rows, cols, pixel_size_um) for t in tiles]
    top = min(r for r, _ in corners)
    left = min(c for _, c in corners)
    height = max(r for r, _ in corners) - top + rows
    width = max(c for _, c in corners) - left + cols
    total = np.zeros((height, width), np.float64)
    weight = np.zeros((height, width), np.float64)
    for tile, (row, col) in zip(tiles, corners, strict=True):
        r, c = row - top, col - left
        total[r : r + rows, c : c + cols] += tile.frame
        weight[r : r + rows, c : c + cols] += 1.0
    mosaic: npt.NDArray[np.float32] = np.divide(
        total, weight, out=np.zeros_like(total), where=weight > 0
    ).astype(np.float32)
    return mosaic


def _corner_px(tile: Tile, rows: int, cols: int, pixel_size_um: float) -> tuple[int, int]:
    """Return the (row, col) of the tile's top-left pixel on a grid with origin at 0 µm."""
    row = round(tile.y_um / pixel_size_um - rows / 2)
    col = round(tile.x_um / pixel_size_um - cols / 2)
    return row, col


def montage(
    rows: Sequence[Sequence[npt.NDArray[np.uint8]]], gap: int = 8, fill: int = 40
) -> npt.NDArray[np.uint8]:
    """Lay 8-bit panels out in rows (each panel at its top-left corner), ``gap`` pixels apart."""
    if not rows or not all(rows):
        raise ValueError("montage needs at least one panel in every row")
    heights = [max(p.shape[0] for p in row) for row in rows]
    widths = [sum(p.shape[1] for p in row) + gap * (len(row) - 1) for row in rows]
    canvas = np.full((sum(heights) + gap * (len(rows) - 1), max(widths)), fill, np.uint8)
    top = 0
    for row, height in zip(rows, heights, strict=True):
        left = 0
        for panel in row:
            canvas[top : top + panel.shape[0], left : left + panel.shape[1]] = panel
            left += panel.shape[1] + gap
        top += height + gap
    return canvas

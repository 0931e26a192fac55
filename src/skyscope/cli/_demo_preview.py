"""The demo's pictures, labelled: max projections per position and channel, and the mosaic.

Each channel is drawn in its colour with one contrast (display window) across every position,
so panels compare; each panel names its position and channel, carries a scale bar, and the
figure says which time point it shows. The mosaic is drawn in stage coordinates (µm) with the
MDA's fields of view marked and named. Drawn with matplotlib's Agg canvas (no display, no
global pyplot state).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

CHANNEL_COLORS = {"DAPI": "#4C7DFF", "FITC": "#3DDC4A", "TRITC": "#FF8A3D", "Cy5": "#FF3D7F"}
"""Display colours of the usual channels (others get one of ``_SPARE_COLORS``)."""
_SPARE_COLORS = ("#FFFFFF", "#FF3DFF", "#3DFFFF", "#FFFF3D")
_PANEL_INCHES = 2.6
_DPI = 110
_NICE_LENGTHS_UM = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)


@dataclass(frozen=True)
class Field:
    """One MDA position: its name and the stage coordinates (µm) of its centre."""

    name: str
    x_um: float
    y_um: float


@dataclass(frozen=True)
class Mosaic:
    """A stitched mosaic and where its top-left pixel is on the stage (µm)."""

    image: npt.NDArray[np.floating[Any]]
    left_um: float
    top_um: float
    pixel_um: float

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """(left, right, bottom, top) in µm, for ``imshow`` with rows going down the stage."""
        rows, cols = self.image.shape
        return (
            self.left_um,
            self.left_um + cols * self.pixel_um,
            self.top_um + rows * self.pixel_um,
            self.top_um,
        )


def channel_color(name: str, index: int) -> str:
    """The display colour of channel ``name`` (the ``index``-th channel), ``#RRGGBB``."""
    return CHANNEL_COLORS.get(name, _SPARE_COLORS[index % len(_SPARE_COLORS)])


def display_window(
    frames: Sequence[npt.NDArray[Any]], low: float = 0.5, high: float = 99.8
) -> tuple[float, float]:
    """One contrast for all ``frames`` (a channel across positions): two percentiles of them."""
    pixels = np.concatenate([np.ravel(f) for f in frames])
    start, end = np.percentile(pixels, [low, high])
    return float(start), max(float(end), float(start) + 1e-12)


def tinted(
    frame: npt.NDArray[Any], window: tuple[float, float], color: str
) -> npt.NDArray[np.float64]:
    """The frame as RGB in ``color``: black at the window's start, full colour at its end."""
    start, end = window
    level = np.clip((frame.astype(np.float64) - start) / (end - start), 0.0, 1.0)
    rgb = np.array([int(color[i : i + 2], 16) / 255.0 for i in (1, 3, 5)])
    tinted_frame: npt.NDArray[np.float64] = level[..., np.newaxis] * rgb
    return tinted_frame


def scale_bar_um(width_um: float) -> float:
    """A round scale-bar length about a quarter of ``width_um`` (at least the shortest)."""
    fitting = [n for n in _NICE_LENGTHS_UM if n <= width_um / 4]
    return float(fitting[-1] if fitting else _NICE_LENGTHS_UM[0])


def preview_png(
    mips: Sequence[Sequence[npt.NDArray[Any]]],
    fields: Sequence[Field],
    channels: Sequence[str],
    pixel_um: float,
    time_label: str,
    mosaic: Mosaic,
) -> bytes:
    """Max projections (rows: positions, columns: channels) beside the mosaic, as PNG bytes.

    ``mips[p][c]`` is position ``p``'s projection in channel ``c``.
    """
    _check_grid(mips, fields, channels)
    figure, grid = _figure(len(fields), len(channels) + 2)
    windows = [display_window([row[c] for row in mips]) for c in range(len(channels))]
    for p, field in enumerate(fields):
        for c, channel in enumerate(channels):
            axes = figure.add_subplot(grid[p, c])
            color = channel_color(channel, c)
            axes.imshow(tinted(mips[p][c], windows[c], color), interpolation="nearest")
            axes.set_title(f"{field.name} · {channel}", color=color, fontsize=9)
            _scale_bar(axes, mips[p][c].shape[1] * pixel_um, 1.0 / pixel_um)
            _bare(axes)
    rows, cols = mips[0][0].shape
    mosaic_axes = figure.add_subplot(grid[:, len(channels) :])
    _draw_mosaic(mosaic_axes, mosaic, fields, (rows * pixel_um, cols * pixel_um))
    figure.suptitle(f"max projection over z, {time_label}", fontsize=10, color="white")
    return _png(figure)


def mosaic_png(mosaic: Mosaic, fields: Sequence[Field], field_shape: tuple[int, int]) -> bytes:
    """The mosaic alone, in stage coordinates, with the MDA's fields marked, as PNG bytes."""
    figure, grid = _figure(3, 3)
    field_um = (field_shape[0] * mosaic.pixel_um, field_shape[1] * mosaic.pixel_um)
    _draw_mosaic(figure.add_subplot(grid[:, :]), mosaic, fields, field_um)
    return _png(figure)


def _check_grid(
    mips: Sequence[Sequence[npt.NDArray[Any]]], fields: Sequence[Field], channels: Sequence[str]
) -> None:
    if not fields or not channels:
        raise ValueError("a preview needs at least one position and one channel")
    if len(mips) != len(fields) or any(len(row) != len(channels) for row in mips):
        raise ValueError(
            f"need one projection per position and channel ({len(fields)} x {len(channels)})"
        )


def _figure(rows: int, columns: int) -> tuple[Figure, Any]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(
        figsize=(columns * _PANEL_INCHES, rows * _PANEL_INCHES + 0.5),
        dpi=_DPI,
        facecolor="#1E1E1E",
        layout="constrained",
    )
    FigureCanvasAgg(figure)
    return figure, figure.add_gridspec(rows, columns)


def _draw_mosaic(
    axes: Axes, mosaic: Mosaic, fields: Sequence[Field], field_um: tuple[float, float]
) -> None:
    """The mosaic in µm, each field's outline (``field_um``: height, width) and name on it."""
    from matplotlib.patches import Rectangle

    covered = mosaic.image[mosaic.image > 0]
    window = display_window([covered]) if covered.size else (0.0, 1.0)
    axes.imshow(mosaic.image, cmap="gray", extent=mosaic.extent, vmin=window[0], vmax=window[1])
    height, width = field_um
    left, right, bottom, top = mosaic.extent
    outside = [f for f in fields if not (left <= f.x_um <= right and top <= f.y_um <= bottom)]
    if outside:
        named = ", ".join(f"{f.name} ({f.x_um:.0f}, {f.y_um:.0f})" for f in outside)
        axes.text(
            0.01, 0.99, f"beyond the overview: {named}", transform=axes.transAxes,
            va="top", ha="left", color="#FFD23D", fontsize=7, wrap=True,
        )  # fmt: skip
    for field in fields:
        if field in outside:
            continue
        corner = (field.x_um - width / 2, field.y_um - height / 2)
        axes.add_patch(Rectangle(corner, width, height, fill=False, edgecolor="#FFD23D", lw=1.2))
        axes.annotate(
            field.name,
            (field.x_um, field.y_um - height / 2),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            color="#FFD23D",
            fontsize=8,
        )
    axes.set_title("overview mosaic, MDA positions marked", color="white", fontsize=9)
    axes.set_xlabel("stage x (µm)", color="white", fontsize=8)
    axes.set_ylabel("stage y (µm)", color="white", fontsize=8)
    axes.tick_params(colors="white", labelsize=7)
    _scale_bar(axes, right - left, 1.0)


def _scale_bar(axes: Axes, width_um: float, units_per_um: float) -> None:
    from mpl_toolkits.axes_grid1.anchored_artists import (  # type: ignore[import-untyped]
        AnchoredSizeBar,
    )

    length = scale_bar_um(width_um)
    bar = AnchoredSizeBar(
        axes.transData,
        length * units_per_um,
        f"{length:g} µm",
        "lower right",
        pad=0.4,
        color="white",
        frameon=False,
        size_vertical=0,
        fontproperties={"size": 7},
    )
    axes.add_artist(bar)


def _bare(axes: Axes) -> None:
    axes.set_xticks([])
    axes.set_yticks([])
    for spine in axes.spines.values():
        spine.set_visible(False)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", facecolor=figure.get_facecolor())
    return buffer.getvalue()

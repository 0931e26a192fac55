"""The part of a frame a viewer can show: a region, binned down to the viewer's canvas size.

A 2048² uint16 frame is 8 MB; a page showing it 700 pixels wide needs a ninth of that. A
viewer states what it shows (``FrameView``: the region of interest in frame pixels, and the
largest width and height it paints), and ``reduce_frame`` crops the region and bins it by the
smallest whole factor that fits (the mean of each ``b x b`` block, as a camera's binning does),
so a zoomed-in viewer gets the region at full resolution. CPU work: run it on a worker thread.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

MAX_SIDE = 16384
"""The largest width or height a viewer may ask for (anything larger is a mistake)."""


@dataclass(frozen=True)
class FrameView:
    """What a viewer shows: a region of the frame, in at most so many pixels.

    ``roi`` is (x, y, width, height), None for the whole frame; ``max_width`` and
    ``max_height`` bound what is sent (None: full resolution).
    """

    roi: tuple[int, int, int, int] | None = None
    max_width: int | None = None
    max_height: int | None = None

    @classmethod
    def parse(cls, wanted: dict[str, Any]) -> FrameView:
        """A view from a viewer's JSON (``{"roi": [x, y, w, h], "max": [w, h]}``), or ValueError."""
        unknown = set(wanted) - {"roi", "max"}
        if unknown:
            raise ValueError(f"unknown view fields {sorted(unknown)} (fields: roi, max)")
        roi = _whole_numbers(wanted.get("roi"), 4, "roi", minimum=0)
        if roi is not None and (roi[2] < 1 or roi[3] < 1):
            raise ValueError(f"'roi' needs a width and height of at least 1, not {list(roi)}")
        size = _whole_numbers(wanted.get("max"), 2, "max", minimum=1)
        return cls(
            roi=None if roi is None else (roi[0], roi[1], roi[2], roi[3]),
            max_width=None if size is None else size[0],
            max_height=None if size is None else size[1],
        )


def _whole_numbers(value: Any, count: int, name: str, minimum: int) -> tuple[int, ...] | None:
    if value is None:
        return None
    if (
        not isinstance(value, list)
        or len(value) != count
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        or not all(minimum <= v <= MAX_SIDE for v in value)
    ):
        raise ValueError(
            f"{name!r} must be a list of {count} whole numbers from {minimum} to {MAX_SIDE}, "
            f"not {value!r}"
        )
    return tuple(value)


@dataclass(frozen=True)
class ReducedFrame:
    """A frame's region as sent: its pixels, the binning factor and the region it covers."""

    pixels: NDArray[Any]
    binning: int
    roi: tuple[int, int, int, int]


def clip_roi(view: FrameView, height: int, width: int) -> tuple[int, int, int, int]:
    """The view's region inside a ``height`` x ``width`` frame (the whole frame when None)."""
    if view.roi is None:
        return 0, 0, width, height
    x, y, w, h = view.roi
    x, y = min(x, width - 1), min(y, height - 1)
    return x, y, min(w, width - x), min(h, height - y)


def binning_for(view: FrameView, roi_width: int, roi_height: int) -> int:
    """The smallest whole binning factor that fits the region into the view's largest size."""
    factor = 1
    if view.max_width is not None:
        factor = max(factor, math.ceil(roi_width / view.max_width))
    if view.max_height is not None:
        factor = max(factor, math.ceil(roi_height / view.max_height))
    return min(factor, roi_width, roi_height)


def reduce_frame(frame: NDArray[Any], view: FrameView) -> ReducedFrame:
    """``frame``'s region under ``view``, binned to fit (edges that make no whole bin dropped)."""
    if frame.ndim != 2:
        raise ValueError(f"a live view needs a 2-D frame, not one of shape {frame.shape}")
    height, width = frame.shape
    x, y, w, h = clip_roi(view, height, width)
    b = binning_for(view, w, h)
    w, h = w - w % b, h - h % b
    region = frame[y : y + h, x : x + w]
    if b == 1:
        return ReducedFrame(region, 1, (x, y, w, h))
    if frame.dtype.kind == "u":  # whole-number sums: exact, and faster than a float mean
        binned = (_block_sums(region, b) // (b * b)).astype(frame.dtype)
    else:
        binned = region.reshape(h // b, b, w // b, b).mean(axis=(1, 3)).astype(frame.dtype)
    return ReducedFrame(binned, b, (x, y, w, h))


def _block_sums(region: NDArray[Any], b: int) -> NDArray[Any]:
    """Sums of ``b x b`` blocks, by strided adds (several times faster than a reshaped sum)."""
    small = region.dtype.itemsize <= 2 and b <= 256  # 65535 · 256² still fits 32 bits
    wide = np.uint32 if small else np.uint64
    rows: NDArray[np.unsignedinteger[Any]] = region[0::b].astype(wide)
    for i in range(1, b):
        np.add(rows, region[i::b], out=rows)
    sums = rows[:, 0::b].copy()
    for i in range(1, b):
        np.add(sums, rows[:, i::b], out=sums)
    return sums

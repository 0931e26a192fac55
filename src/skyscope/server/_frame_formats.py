"""Frames as files for browsers and scripts: PNG (16 -> 8 bit), TIFF, numpy, JPEG, WebP.

All of these are CPU work on whole frames: callers run them on a worker thread, never on the
event loop. Contrast limits come from percentiles of a subsample, so a 2048² frame costs
little more than a 512² one.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from numpy.typing import NDArray

FORMATS = {
    "png": "image/png",
    "tiff": "image/tiff",
    "npy": "application/octet-stream",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
}
"""Formats by name, with their media types."""

_SUBSAMPLE_TARGET = 256
"""Contrast limits are taken from about this many rows and columns of the frame."""


class FrameFormatError(ValueError):
    """A format or frame this module cannot encode."""


def contrast_limits(
    frame: NDArray[Any], low: float = 0.1, high: float = 99.9
) -> tuple[float, float]:
    """The ``low`` and ``high`` percentiles of ``frame`` (from a subsample), for auto-contrast."""
    step = max(1, max(frame.shape[-2:]) // _SUBSAMPLE_TARGET) if frame.ndim >= 2 else 1
    sample = frame[..., ::step, ::step] if frame.ndim >= 2 else frame
    lo, hi = np.percentile(sample, (low, high))
    return float(lo), float(max(hi, lo + 1))


def to_8bit(frame: NDArray[Any], limits: tuple[float, float] | None = None) -> NDArray[np.uint8]:
    """``frame`` scaled to 0..255 between ``limits`` (auto-contrast when None)."""
    lo, hi = limits if limits is not None else contrast_limits(frame)
    scaled = (frame.astype(np.float32) - lo) * (255.0 / max(hi - lo, 1e-12))
    out: NDArray[np.uint8] = np.clip(scaled, 0, 255).astype(np.uint8)
    return out


def _image_plane(frame: NDArray[Any]) -> NDArray[Any]:
    plane = np.squeeze(frame)
    if plane.ndim != 2:
        raise FrameFormatError(f"an image needs a 2-D frame, not one of shape {frame.shape}")
    return plane


def encode(frame: NDArray[Any], fmt: str, *, size: int | None = None, quality: int = 80) -> bytes:
    """``frame`` as a ``fmt`` file's bytes; ``size`` shrinks images to fit (for thumbnails)."""
    if fmt not in FORMATS:
        raise FrameFormatError(f"unknown frame format {fmt!r} (formats: {', '.join(FORMATS)})")
    if fmt == "npy":
        out = io.BytesIO()
        np.save(out, np.ascontiguousarray(frame), allow_pickle=False)
        return out.getvalue()
    if fmt == "tiff":
        import tifffile

        out = io.BytesIO()
        tifffile.imwrite(out, np.ascontiguousarray(frame))
        return out.getvalue()
    return _pillow(_image_plane(frame), fmt, size, quality)


def _pillow(plane: NDArray[Any], fmt: str, size: int | None, quality: int) -> bytes:
    from PIL import Image

    image = Image.fromarray(to_8bit(plane) if plane.dtype != np.uint8 else plane)
    if size is not None:
        image.thumbnail((size, size))
    out = io.BytesIO()
    if fmt == "png":
        image.save(out, format="PNG", compress_level=1)
    else:
        image.save(out, format=fmt.upper(), quality=quality)
    return out.getvalue()

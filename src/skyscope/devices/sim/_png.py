"""Save a frame as a grayscale PNG for a quick look, with the standard library alone.

Frames are contrast-stretched between two percentiles to 8 bits (how a viewer would show
them) and written as one zlib-compressed IDAT chunk with filter type 0 on every row.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import numpy.typing as npt

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, payload: bytes) -> bytes:
    """Return one PNG chunk: length, type, payload and the CRC of type + payload."""
    crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def to_display(
    frame: npt.NDArray[np.number], low_percentile: float = 0.5, high_percentile: float = 99.8
) -> npt.NDArray[np.uint8]:
    """Stretch ``frame`` linearly so the two percentiles map to 0 and 255."""
    if frame.ndim != 2 or frame.size == 0:
        raise ValueError(f"need a non-empty 2-D frame, got shape {frame.shape}")
    low, high = np.percentile(frame, [low_percentile, high_percentile])
    span = max(float(high - low), 1e-12)
    scaled = (frame.astype(np.float64) - low) * (255.0 / span)
    image: npt.NDArray[np.uint8] = np.clip(np.rint(scaled), 0, 255).astype(np.uint8)
    return image


def png_bytes(image: npt.NDArray[np.uint8]) -> bytes:
    """Encode an 8-bit grayscale image as PNG."""
    if image.ndim != 2 or image.dtype != np.uint8 or image.size == 0:
        raise ValueError(f"need a non-empty 2-D uint8 image, got {image.dtype} {image.shape}")
    rows, cols = image.shape
    header = struct.pack(">IIBBBBB", cols, rows, 8, 0, 0, 0, 0)
    scanlines = np.zeros((rows, cols + 1), dtype=np.uint8)
    scanlines[:, 1:] = image
    data = zlib.compress(scanlines.tobytes(), 9)
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def save_png(path: str | Path, frame: npt.NDArray[np.number]) -> Path:
    """Write ``frame`` (any numeric 2-D array) contrast-stretched as an 8-bit PNG."""
    target = Path(path)
    target.write_bytes(png_bytes(to_display(frame)))
    return target

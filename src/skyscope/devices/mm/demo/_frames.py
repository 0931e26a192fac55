"""The demo camera's frames: a focus-dependent pattern, and a header saying how it was taken.

The low bytes of the first pixels of every frame hold a header (frame number, stage x, y, z,
exposure, filter, objective), so two runs are compared pixel for pixel and a test can read where
each frame was taken; in 16-bit frames it changes each pixel by less than 256, too little to
sway a focus metric. The rest is a checkerboard whose brightness follows the exposure and the
filter, and whose contrast falls off away from the world's focus, so an autofocus finds focus.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

import numpy as np

_HEADER = struct.Struct("<Qddddbb")
HEADER_BYTES = _HEADER.size
"""How many pixels at the start of each frame carry a byte of its header (in their low byte)."""

_CELL_PX = 4


@dataclass(frozen=True)
class FrameHeader:
    """How a demo frame was taken."""

    number: int
    x_um: float
    y_um: float
    z_um: float
    exposure_ms: float
    channel: int
    objective: int


def write_header(frame: np.ndarray, header: FrameHeader) -> None:
    """Stamp ``header`` into the low bytes of the first pixels of ``frame`` (C-contiguous)."""
    packed = _HEADER.pack(
        header.number,
        header.x_um,
        header.y_um,
        header.z_um,
        header.exposure_ms,
        header.channel,
        header.objective,
    )
    pixels = frame.reshape(-1)[:HEADER_BYTES]
    data = np.frombuffer(packed, np.uint8).astype(pixels.dtype)
    pixels[:] = data if pixels.dtype.itemsize == 1 else (pixels & ~pixels.dtype.type(0xFF)) | data


def read_header(frame: Any) -> FrameHeader:
    """Return the header of a demo frame."""
    pixels = np.asarray(frame).reshape(-1)[:HEADER_BYTES]
    return FrameHeader(*_HEADER.unpack((pixels & 0xFF).astype(np.uint8).tobytes()))


def render(
    shape: tuple[int, int], dtype: np.dtype[Any], *, exposure_ms: float, channel: int,
    defocus_um: float, depth_um: float,
) -> np.ndarray:  # fmt: skip
    """Return the pattern (without header) for these settings."""
    rows, cols = np.indices(shape)
    checker = ((rows // _CELL_PX + cols // _CELL_PX) % 2).astype(np.float64)
    full = float(np.iinfo(dtype).max)
    contrast = float(np.exp(-0.5 * (defocus_um / depth_um) ** 2))
    brightness = min(1.0, 0.02 * (1 + channel) * max(exposure_ms, 0.0) / 10.0)
    level = full * brightness
    image = 0.05 * full + level * (0.5 + contrast * (checker - 0.5))
    return np.clip(image, 0, full).astype(dtype)

"""The PNG writer (read back by hand: chunks, CRCs, pixels) and the package's public names."""

from __future__ import annotations

import importlib
import struct
import time
import zlib
from pathlib import Path

import numpy as np
import pytest

from skyscope.devices.sim import png_bytes, save_png, to_display

from ._helpers import image_shift, small_model


def _decode(data: bytes) -> np.ndarray:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = {}, 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, payload = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length : at + 12 + length])
        assert crc == zlib.crc32(kind + payload) & 0xFFFFFFFF
        chunks[kind] = payload
        at += 12 + length
    width, height, depth, color = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, color) == (8, 0)
    rows = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), np.uint8).reshape(height, width + 1)
    assert not rows[:, 0].any()  # filter type 0 on every row
    assert chunks[b"IEND"] == b""
    return rows[:, 1:]


def test_png_round_trips_pixels() -> None:
    image = (np.arange(12 * 7) % 256).astype(np.uint8).reshape(12, 7)
    np.testing.assert_array_equal(_decode(png_bytes(image)), image)


def test_save_png_stretches_a_frame_to_eight_bits(tmp_path: Path) -> None:
    frame = np.linspace(100, 5000, 64 * 48).reshape(48, 64).astype(np.uint16)
    decoded = _decode(save_png(tmp_path / "frame.png", frame).read_bytes())
    np.testing.assert_array_equal(decoded, to_display(frame))
    assert decoded.min() == 0
    assert decoded.max() == 255


def test_png_refuses_what_it_cannot_encode() -> None:
    with pytest.raises(ValueError, match="2-D uint8"):
        png_bytes(np.zeros((4, 4), np.uint16))
    with pytest.raises(ValueError, match="2-D frame"):
        to_display(np.zeros(5))


def test_drift_moves_the_image_while_the_stage_stands_still() -> None:
    model = small_model()
    model.drift_um_per_s = (200.0, 0.0, 0.0)
    drift_before = model.drift_um()[0]
    before = model.snap()
    time.sleep(0.1)
    drift_after = model.drift_um()[0]
    after = model.snap()
    rows, cols = image_shift(before, after)
    expected = -(drift_after - drift_before) / model.pixel_size_um()
    assert expected < -20  # 200 µm/s for over 0.1 s at 0.65 µm per pixel
    assert rows == 0
    assert cols == pytest.approx(expected, abs=1.0)
    assert (model.x_um, model.y_um) == (0.0, 0.0)  # the stage did not move


def test_every_public_name_is_exported() -> None:
    for name in ("skyscope.devices.sim",):
        module = importlib.import_module(name)
        public = {
            n
            for n, v in vars(module).items()
            if not n.startswith("_") and getattr(v, "__module__", "").startswith("skyscope")
        }
        assert public <= set(module.__all__)
        assert all(hasattr(module, n) for n in module.__all__)

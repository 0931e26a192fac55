"""Cropping and binning a frame to what a viewer shows (``server/_frame_view.py``)."""

from __future__ import annotations

import numpy as np
import pytest

from skyscope.server._frame_view import FrameView, binning_for, clip_roi, reduce_frame


def test_a_whole_frame_at_full_resolution_is_the_frame_itself() -> None:
    frame = np.arange(12, dtype=np.uint16).reshape(3, 4)
    reduced = reduce_frame(frame, FrameView())
    assert np.shares_memory(reduced.pixels, frame)  # no copy on the way to the socket
    assert (reduced.binning, reduced.roi) == (1, (0, 0, 4, 3))


@pytest.mark.parametrize("dtype", [np.uint16, np.uint8, np.uint32, np.int16, np.float32])
def test_binning_is_the_mean_of_each_block(dtype: type) -> None:
    rng = np.random.default_rng(3)
    frame = rng.integers(0, 100, (2048, 2048)).astype(dtype)
    reduced = reduce_frame(frame, FrameView(max_width=700, max_height=700))
    assert reduced.binning == 3  # 2048 / 700 rounded up
    assert reduced.pixels.shape == (682, 682)
    assert reduced.pixels.dtype == dtype
    assert reduced.roi == (0, 0, 2046, 2046)  # the last two rows and columns make no whole bin
    expected = frame[:2046, :2046].astype(np.float64).reshape(682, 3, 682, 3).mean(axis=(1, 3))
    np.testing.assert_allclose(reduced.pixels, expected, atol=1)


def test_sums_of_bright_16_bit_pixels_do_not_overflow() -> None:
    frame = np.full((1024, 1024), 65535, np.uint16)
    for side in (512, 2, 1):  # binning 2, 512 and 1024 (the last two need 64-bit sums)
        reduced = reduce_frame(frame, FrameView(max_width=side, max_height=side))
        assert set(np.unique(reduced.pixels)) == {65535}
        assert reduced.pixels.shape == (side, side)


def test_a_region_at_full_resolution_and_a_region_binned() -> None:
    frame = np.arange(100 * 80, dtype=np.uint16).reshape(100, 80)
    full = reduce_frame(frame, FrameView(roi=(10, 20, 30, 40)))
    np.testing.assert_array_equal(full.pixels, frame[20:60, 10:40])
    assert (full.binning, full.roi) == (1, (10, 20, 30, 40))
    binned = reduce_frame(frame, FrameView(roi=(10, 20, 30, 40), max_width=15, max_height=100))
    assert (binned.binning, binned.pixels.shape) == (2, (20, 15))
    assert binned.pixels[0, 0] == frame[20:22, 10:12].mean() // 1  # the mean, rounded down


def test_a_region_past_the_edge_is_clipped_to_the_frame() -> None:
    assert clip_roi(FrameView(roi=(70, 90, 50, 50)), height=100, width=80) == (70, 90, 10, 10)
    assert clip_roi(FrameView(roi=(500, 500, 5, 5)), height=100, width=80) == (79, 99, 1, 1)
    assert binning_for(FrameView(max_width=1, max_height=1), 3, 5) == 3  # never past the region


def test_views_from_json_and_clear_refusals() -> None:
    view = FrameView.parse({"roi": [1, 2, 3, 4], "max": [640, 480]})
    assert view == FrameView((1, 2, 3, 4), 640, 480)
    assert FrameView.parse({}) == FrameView()
    with pytest.raises(ValueError, match="unknown view fields \\['zoom'\\]"):
        FrameView.parse({"zoom": 2})
    with pytest.raises(ValueError, match="'max' must be a list of 2 whole numbers"):
        FrameView.parse({"max": [0, 10]})
    with pytest.raises(ValueError, match="'roi' must be a list of 4"):
        FrameView.parse({"roi": [1, 2, 3]})
    with pytest.raises(ValueError, match="width and height of at least 1"):
        FrameView.parse({"roi": [1, 2, 0, 4]})
    with pytest.raises(ValueError, match="'max' must be"):
        FrameView.parse({"max": [True, 10]})
    with pytest.raises(ValueError, match="2-D frame"):
        reduce_frame(np.zeros((2, 3, 4), np.uint16), FrameView(max_width=1))

"""Fault-suite fixtures: soft devices, one of them a camera of 512 KiB frames carried inline."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from skyscope.devices import SoftDetector, SoftMotor, gaussian

FRAME_SHAPE = (256, 256)
"""float64 frames of 512 KiB each."""


@pytest.fixture
async def motor() -> SoftMotor:
    device = SoftMotor("motor", velocity=float("inf"))
    await device.connect()
    return device


@pytest.fixture
async def det(motor: SoftMotor) -> SoftDetector:
    device = SoftDetector("det", compute=gaussian(center=0.0, sigma=1.0), inputs=[motor.readback])
    await device.connect()
    return device


@pytest.fixture
async def camera() -> SoftDetector:
    """A detector whose reading is a new 512 KiB frame each trigger (carried in the event)."""
    frames = 0

    def frame() -> npt.NDArray[np.float64]:
        nonlocal frames
        frames += 1
        return np.full(FRAME_SHAPE, float(frames))

    device = SoftDetector("cam", compute=frame, datatype=npt.NDArray[np.float64])
    await device.connect()
    return device

"""Fault-suite fixtures: soft devices (one a camera of 512 KiB frames carried inline), and a
catalog shared by the fuzzed examples."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import numpy.typing as npt
import pytest

from _catalog_backends import backend, catalog_location, new_catalog, postgres
from skyscope.broker import Catalog
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


__all__ = ["backend", "catalog_location", "new_catalog", "postgres"]


@pytest.fixture(scope="module")
def fuzz_catalog(new_catalog: Callable[[], str]) -> Iterator[Catalog]:
    """One catalog for every fuzzed example (ingest is idempotent; state carries over)."""
    with Catalog(new_catalog()) as catalog:
        yield catalog

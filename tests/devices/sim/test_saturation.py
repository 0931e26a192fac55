"""A saturated pixel reads the full well, never above it, whatever the noise drew."""

from __future__ import annotations

import numpy as np
import pytest

from skyscope.devices.sim import CameraSettings, SensorSpec
from skyscope.devices.sim._synth import Exposure, FrameSynth, saturation_adu


@pytest.mark.parametrize("noise", ["fast", "poisson"])
@pytest.mark.parametrize("gain", [1.0, 2.0])
def test_saturated_pixels_read_the_full_well(noise: str, gain: float) -> None:
    sensor = SensorSpec(shape=(64, 64), full_well_e=30000.0)
    exposure = Exposure(CameraSettings(gain=gain, offset_adu=100.0), sensor, signal_scale=1.0)
    scene = np.full((64, 64), 60000.0, dtype=np.float32)  # twice the full well
    scene[:, :32] = 29500.0  # just below it: shot noise draws above the well here too
    synth = FrameSynth(seed=1, noise=noise)  # type: ignore[arg-type]
    frame = synth.expose(scene, 1, exposure, np.empty((64, 64), np.uint16))
    ceiling = saturation_adu(exposure)
    assert ceiling == min(65535, int(30000 * gain + 100))
    assert frame.max() <= ceiling
    # the saturated half reads the well, give or take the read noise added after it
    read_noise_adu = sensor.read_noise_e * gain
    assert frame[:, 32:].min() >= ceiling - 6 * read_noise_adu
    assert np.median(frame[:, 32:]) >= ceiling - read_noise_adu
    assert frame[:, :32].min() < ceiling  # the unsaturated half keeps its noise

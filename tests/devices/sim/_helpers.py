"""Small shared builders for the simulated-microscope tests."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from skyscope.devices.sim import CameraSettings, MicroscopeModel, SensorSpec

SENSOR = SensorSpec(shape=(512, 512))


def small_model(seed: int = 3, **settings: object) -> MicroscopeModel:
    """A 512x512-sensor microscope with a 10x objective, FITC, 50 ms exposures."""
    camera = CameraSettings(**{"exposure_s": 0.05, **settings})  # type: ignore[arg-type]
    return MicroscopeModel(seed=seed, sensor=SENSOR, camera=camera, objective=1)


def signal_above_offset(model: MicroscopeModel, frame: npt.NDArray[np.generic]) -> float:
    """Mean of a frame minus the offset and the dark charge (in ADU)."""
    settings = model.camera
    dark = model.sensor.dark_current_e_per_s * settings.exposure_s * settings.binning**2
    return float(frame.mean()) - settings.offset_adu - dark * settings.gain


def image_shift(a: npt.NDArray[np.generic], b: npt.NDArray[np.generic]) -> tuple[int, int]:
    """Return the (rows, cols) by which ``b``'s content is displaced from ``a``'s (FFT xcorr)."""
    fa = np.fft.rfft2(a.astype(np.float64) - a.mean())
    fb = np.fft.rfft2(b.astype(np.float64) - b.mean())
    correlation = np.fft.irfft2(fb * np.conj(fa), s=a.shape)
    row, col = np.unravel_index(int(np.argmax(correlation)), correlation.shape)
    rows, cols = a.shape
    return (row - rows if row > rows // 2 else row), (col - cols if col > cols // 2 else col)


def correlation(a: npt.NDArray[np.generic], b: npt.NDArray[np.generic]) -> float:
    """Pearson correlation of two frames' pixels."""
    return float(np.corrcoef(a.ravel().astype(np.float64), b.ravel().astype(np.float64))[0, 1])


def sharpness(frame: npt.NDArray[np.generic]) -> float:
    """Brenner focus measure: mean squared difference of pixels two apart."""
    f = frame.astype(np.float64)
    return float(((f[:, 2:] - f[:, :-2]) ** 2).mean() + ((f[2:, :] - f[:-2, :]) ** 2).mean())

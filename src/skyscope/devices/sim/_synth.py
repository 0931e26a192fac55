"""Turn expected photoelectrons into noisy digital frames, fast enough to stream.

A frame is ``offset + gain * (signal + dark + noise)``, rounded and clipped to full scale. The
"fast" noise model draws one Gaussian per pixel with the variance of shot noise plus dark noise
plus read noise (the normal approximation of Poisson, accurate above a few electrons); its
normal deviates come from a 65,536-entry inverse-CDF table indexed by raw random bits, which is
several times cheaper than numpy's own normal sampler. The "poisson" model samples exactly.
The per-pixel mean and standard deviation are cached while the scene and settings stay the same,
so a streamed frame costs one table lookup, one multiply-add and one cast per pixel.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

import numpy as np
import numpy.typing as npt

from ._sensor import CameraSettings, SensorSpec

F32 = npt.NDArray[np.float32]
SensorFrame = npt.NDArray[np.unsignedinteger]
NoiseModel = Literal["fast", "poisson"]

_CHUNK = 1 << 16  # pixels per step: keeps the intermediate buffers in cache
_TABLE_BITS = 16


@functools.cache
def normal_table() -> F32:
    """Return 65,536 equally likely standard-normal values (quantiles), scaled to unit variance."""
    size = 1 << _TABLE_BITS
    dist = NormalDist()
    table = np.array([dist.inv_cdf((i + 0.5) / size) for i in range(size)], dtype=np.float64)
    scaled: F32 = (table / table.std()).astype(np.float32)
    return scaled


@dataclass(frozen=True)
class Exposure:
    """Everything one frame's statistics depend on, besides the scene image itself."""

    settings: CameraSettings
    sensor: SensorSpec
    signal_scale: float

    def dark_e(self) -> float:
        """Return the dark-current electrons one binned pixel collects during the exposure."""
        binned = self.settings.binning**2
        return self.sensor.dark_current_e_per_s * self.settings.exposure_s * binned

    def read_noise_e(self) -> float:
        """Return the read noise of one binned pixel (digital binning sums the reads)."""
        return self.sensor.read_noise_e * self.settings.binning

    def full_well_e(self) -> float:
        """Return the charge at which a binned pixel saturates."""
        return self.sensor.full_well_e * self.settings.binning**2


class FrameSynth:
    """Make digital frames from a scene (photoelectrons/s at full power) and camera settings."""

    def __init__(self, seed: int, noise: NoiseModel = "fast") -> None:
        if noise not in ("fast", "poisson"):
            raise ValueError(f"noise model must be 'fast' or 'poisson', got {noise!r}")
        self.noise: NoiseModel = noise
        self._rng = np.random.Generator(np.random.PCG64(seed))
        self._table = normal_table()
        self._key: tuple[int, Exposure] | None = None
        self._mean: F32 = np.zeros(0, np.float32)
        self._std: F32 = np.zeros(0, np.float32)
        self._clip_low = self._clip_high = False
        self._index = np.empty(_CHUNK, dtype=np.intp)
        self._work = np.empty(_CHUNK, dtype=np.float32)

    def reseed(self, seed: int) -> None:
        """Restart the noise from ``seed`` (frames then depend on the seed, not on history)."""
        self._rng = np.random.Generator(np.random.PCG64(seed))

    def expose(
        self, scene: F32, scene_version: int, exposure: Exposure, out: SensorFrame
    ) -> SensorFrame:
        """Fill ``out`` with one noisy frame of ``scene``; ``scene_version`` keys the cache."""
        if self.noise == "poisson":
            return self._poisson(scene, exposure, out)
        key = (scene_version, exposure)
        if key != self._key:
            self._prepare(scene, exposure)
            self._key = key
        self._fast(out.reshape(-1), saturation_adu(exposure))
        return out

    def expected_electrons(self, scene: F32, exposure: Exposure) -> F32:
        """Return the mean charge per pixel (signal + dark), capped at the full well."""
        electrons = incident_electrons(scene, exposure)
        np.minimum(electrons, np.float32(exposure.full_well_e()), out=electrons)
        return electrons

    def _prepare(self, scene: F32, exposure: Exposure) -> None:
        """Cache the per-pixel mean (ADU, +0.5 so a cast rounds) and standard deviation."""
        gain, settings = np.float32(exposure.settings.gain), exposure.settings
        # noise is drawn around the charge that arrives; the well caps it after (at readout)
        electrons = incident_electrons(scene, exposure).reshape(-1)
        self._std = np.sqrt(electrons + np.float32(exposure.read_noise_e() ** 2)) * gain
        self._mean = electrons * gain + np.float32(settings.offset_adu + 0.5)
        tail = np.float32(self._table.max())
        self._clip_low = bool((self._mean - tail * self._std).min(initial=0.0) < 0.0)
        high = (self._mean + tail * self._std).max(initial=0.0)
        self._clip_high = bool(high >= saturation_adu(exposure) + 1)

    def _fast(self, out: SensorFrame, ceiling: float) -> None:
        """Draw table-normal deviates chunk by chunk and write mean + std * z, clipped."""
        n = out.size
        bits = self._rng.bit_generator.random_raw(-(-n // 4)).view(np.uint16)
        index, work, table = self._index, self._work, self._table
        for start in range(0, n, _CHUNK):
            stop = min(start + _CHUNK, n)
            z, idx = work[: stop - start], index[: stop - start]
            np.copyto(idx, bits[start:stop], casting="unsafe")
            np.take(table, idx, out=z, mode="wrap")
            np.multiply(z, self._std[start:stop], out=z)
            np.add(z, self._mean[start:stop], out=z)
            if self._clip_low or self._clip_high:
                np.clip(z, 0.0, ceiling + 0.5, out=z)
            np.copyto(out[start:stop], z, casting="unsafe")

    def _poisson(self, scene: F32, exposure: Exposure, out: SensorFrame) -> SensorFrame:
        """Sample shot noise exactly (Poisson) and read noise (normal); slow but exact."""
        settings = exposure.settings
        arrived = self._rng.poisson(incident_electrons(scene, exposure)).astype(np.float64)
        electrons = np.minimum(arrived, exposure.full_well_e())
        electrons += self._rng.normal(0.0, exposure.read_noise_e(), electrons.shape)
        adu = np.rint(electrons * settings.gain + settings.offset_adu)
        np.copyto(out, np.clip(adu, 0, saturation_adu(exposure)), casting="unsafe")
        return out


def incident_electrons(scene: F32, exposure: Exposure) -> F32:
    """The mean charge arriving per pixel (signal + dark) before the well caps it."""
    electrons: F32 = scene * np.float32(exposure.signal_scale)
    electrons += np.float32(exposure.dark_e())
    return electrons


def saturation_adu(exposure: Exposure) -> float:
    """The reading of a full well: no pixel reads above it, whatever the noise drew."""
    settings = exposure.settings
    full = math.floor(exposure.full_well_e() * settings.gain + settings.offset_adu)
    return float(min(settings.max_value, full))

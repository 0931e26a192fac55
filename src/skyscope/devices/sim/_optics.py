"""The optics of the simulated widefield microscope: objectives, fluorophores and channels.

Pure numbers, no state: an objective's magnification and NA give the pixel size at the sample,
the in-focus spot size, the depth of field, and how fast defocus blurs an object.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FLUOROPHORES: tuple[str, ...] = ("DAPI", "GFP", "mCherry")
"""The dyes the simulated sample carries, in the order of the per-fluorophore arrays."""


@dataclass(frozen=True)
class Objective:
    """A microscope objective: magnification, numerical aperture and immersion index."""

    name: str
    magnification: float
    numerical_aperture: float
    immersion_index: float = 1.0

    def __post_init__(self) -> None:
        if self.magnification <= 0:
            raise ValueError(f"objective {self.name!r}: magnification must be > 0")
        if not 0 < self.numerical_aperture < self.immersion_index:
            raise ValueError(
                f"objective {self.name!r}: NA {self.numerical_aperture} must be in "
                f"(0, immersion index {self.immersion_index})"
            )

    def pixel_size_um(self, camera_pixel_um: float, binning: int = 1) -> float:
        """Return the size at the sample of one (binned) camera pixel, in µm."""
        return camera_pixel_um * binning / self.magnification

    def psf_sigma_um(self, wavelength_um: float) -> float:
        """Return the standard deviation of the in-focus spot (Gaussian fit of the Airy disk)."""
        return 0.21 * wavelength_um / self.numerical_aperture

    def depth_of_field_um(self, wavelength_um: float, camera_pixel_um: float) -> float:
        """Return the depth of field: wave-optical term plus the camera-pixel geometric term."""
        na, n = self.numerical_aperture, self.immersion_index
        return wavelength_um * n / na**2 + n * camera_pixel_um / (self.magnification * na)

    def defocus_slope(self) -> float:
        """Return how many µm of blur (sigma) one µm of defocus adds: tan(half-angle) / 2."""
        half_angle = math.asin(self.numerical_aperture / self.immersion_index)
        return math.tan(half_angle) / 2.0

    def defocus_sigma_um(self, defocus_um: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Return the blur sigma (µm) that a distance from the focal plane adds, element-wise."""
        return np.abs(defocus_um) * self.defocus_slope()


@dataclass(frozen=True)
class Channel:
    """A filter cube: how strongly it excites each fluorophore and where it collects light."""

    name: str
    excitation: tuple[float, ...]
    emission_um: float

    def __post_init__(self) -> None:
        if len(self.excitation) != len(FLUOROPHORES):
            raise ValueError(
                f"channel {self.name!r}: give one excitation efficiency per fluorophore "
                f"{FLUOROPHORES}, got {len(self.excitation)}"
            )
        if any(e < 0 for e in self.excitation):
            raise ValueError(f"channel {self.name!r}: excitation efficiencies must be >= 0")


DEFAULT_OBJECTIVES: tuple[Objective, ...] = (
    Objective("4x/0.13", 4.0, 0.13),
    Objective("10x/0.30", 10.0, 0.30),
    Objective("20x/0.75", 20.0, 0.75),
    Objective("40x/0.95", 40.0, 0.95),
    Objective("60x/1.40 oil", 60.0, 1.40, 1.515),
)
"""The turret of the default microscope, position 0 first."""

DEFAULT_CHANNELS: tuple[Channel, ...] = (
    Channel("DAPI", (1.0, 0.01, 0.0), 0.461),
    Channel("FITC", (0.02, 1.0, 0.02), 0.520),
    Channel("TRITC", (0.0, 0.04, 1.0), 0.610),
)
"""The filter wheel of the default microscope, position 0 first."""

"""The simulated specimen: fluorescent beads and cell-like objects over several millimetres.

Every object is a handful of 2-D Gaussian components in world coordinates (µm), each carrying
one fluorophore, so blurring by the optics stays analytic (covariances add). The specimen sits on
a slightly tilted surface, so the best focus changes across the slide as it does on a real one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ._optics import FLUOROPHORES

F64 = npt.NDArray[np.float64]

_LOBES_PER_CELL = 6
_PUNCTA_PER_CELL = 10


@dataclass(frozen=True)
class SampleSpec:
    """What to scatter on the slide, and how bright and how fast-bleaching each dye is."""

    width_um: float = 5000.0
    height_um: float = 5000.0
    surface_z_um: float = 2500.0
    tilt_x_um_per_mm: float = 0.8
    tilt_y_um_per_mm: float = -0.5
    bead_density_per_mm2: float = 60.0
    cell_density_per_mm2: float = 100.0
    bead_brightness: float = 2.0e6
    nucleus_brightness: float = 2.0e7
    cytoplasm_brightness: float = 4.0e7
    punctum_brightness: float = 4.0e5
    bleach_time_s: tuple[float, ...] = (300.0, 120.0, 200.0)

    def __post_init__(self) -> None:
        if self.width_um <= 0 or self.height_um <= 0:
            raise ValueError("sample width_um and height_um must be > 0")
        if self.bead_density_per_mm2 < 0 or self.cell_density_per_mm2 < 0:
            raise ValueError("sample densities must be >= 0")
        if len(self.bleach_time_s) != len(FLUOROPHORES) or min(self.bleach_time_s) <= 0:
            raise ValueError(f"give one bleach time > 0 per fluorophore {FLUOROPHORES}")


def _covariance(major: F64, minor: F64, angle: F64) -> tuple[F64, F64, F64]:
    """Return (xx, xy, yy) covariance of Gaussians with these sigma along rotated axes."""
    c, s = np.cos(angle), np.sin(angle)
    a, b = major**2, minor**2
    return a * c * c + b * s * s, (a - b) * c * s, a * s * s + b * c * c


class Sample:
    """Gaussian components of the specimen, with the light dose each has received (bleaching)."""

    def __init__(self, spec: SampleSpec, seed: int) -> None:
        self.spec = spec
        self.seed = seed
        rng = np.random.Generator(np.random.PCG64(seed))
        parts = [self._beads(rng), *self._cells(rng)]
        self.x = np.concatenate([p[0] for p in parts])
        self.y = np.concatenate([p[1] for p in parts])
        self.z = np.concatenate([p[2] for p in parts])
        self.var_xx = np.concatenate([p[3] for p in parts])
        self.var_xy = np.concatenate([p[4] for p in parts])
        self.var_yy = np.concatenate([p[5] for p in parts])
        self.fluorophore = np.concatenate([p[6] for p in parts]).astype(np.intp)
        self.brightness = np.concatenate([p[7] for p in parts])
        self.dose = np.zeros_like(self.x)
        self._bleach_time = np.asarray(spec.bleach_time_s, dtype=np.float64)

    def __len__(self) -> int:
        return int(self.x.size)

    def surface_z_um(self, x_um: float, y_um: float) -> float:
        """Return the height of the slide surface (where the cells sit) under (x, y)."""
        return float(self._surface(np.array([x_um]), np.array([y_um]))[0])

    def bleach_factor(self, index: npt.NDArray[np.intp]) -> F64:
        """Return the fraction of each component's fluorophores not yet bleached."""
        return np.exp(-self.dose[index] / self._bleach_time[self.fluorophore[index]])

    def expose(self, index: npt.NDArray[np.intp], dose: F64) -> None:
        """Add light dose (seconds at full power * excitation) to the given components."""
        self.dose[index] += dose

    def best_focus_um(
        self, x_um: float, y_um: float, half_size_um: float, excitation: tuple[float, ...]
    ) -> float:
        """Return the brightness-weighted depth of what a channel sees in a square field."""
        inside = (np.abs(self.x - x_um) <= half_size_um) & (np.abs(self.y - y_um) <= half_size_um)
        weight = self.brightness[inside] * np.asarray(excitation)[self.fluorophore[inside]]
        if weight.sum() <= 0:
            raise ValueError(f"nothing fluorescent within {half_size_um} µm of ({x_um}, {y_um})")
        return float(np.average(self.z[inside], weights=weight))

    def _surface(self, x: F64, y: F64) -> F64:
        spec = self.spec
        tilt = spec.tilt_x_um_per_mm * x + spec.tilt_y_um_per_mm * y
        return spec.surface_z_um + tilt / 1000.0

    def _uniform_xy(self, rng: np.random.Generator, count: int) -> tuple[F64, F64]:
        spec = self.spec
        x = rng.uniform(-spec.width_um / 2, spec.width_um / 2, count)
        y = rng.uniform(-spec.height_um / 2, spec.height_um / 2, count)
        return x, y

    def _count(self, rng: np.random.Generator, density_per_mm2: float) -> int:
        area_mm2 = self.spec.width_um * self.spec.height_um / 1e6
        return int(rng.poisson(density_per_mm2 * area_mm2))

    def _beads(self, rng: np.random.Generator) -> tuple[F64, ...]:
        n = self._count(rng, self.spec.bead_density_per_mm2)
        x, y = self._uniform_xy(rng, n)
        z = self._surface(x, y) + rng.uniform(-1.0, 1.0, n)
        var = (rng.uniform(0.1, 0.25, n) / 2) ** 2
        fluor = rng.integers(0, len(FLUOROPHORES), n).astype(np.float64)
        bright = self.spec.bead_brightness * rng.lognormal(0.0, 0.3, n)
        return x, y, z, var, np.zeros(n), var, fluor, bright

    def _cells(self, rng: np.random.Generator) -> list[tuple[F64, ...]]:
        n = self._count(rng, self.spec.cell_density_per_mm2)
        cx, cy = self._uniform_xy(rng, n)
        orientation = rng.uniform(0, np.pi, n)
        base = self._surface(cx, cy)
        return [
            self._nuclei(rng, cx, cy, base),
            self._cytoplasm(rng, cx, cy, base, orientation),
            self._puncta(rng, cx, cy, base, orientation),
        ]

    def _nuclei(self, rng: np.random.Generator, cx: F64, cy: F64, base: F64) -> tuple[F64, ...]:
        n = cx.size
        x, y = cx + rng.normal(0, 1.0, n), cy + rng.normal(0, 1.0, n)
        cov = _covariance(
            rng.uniform(2.5, 3.5, n), rng.uniform(2.0, 2.8, n), rng.uniform(0, np.pi, n)
        )
        bright = self.spec.nucleus_brightness * rng.lognormal(0.0, 0.25, n)
        z = base + 1.0 + rng.normal(0, 0.2, n)
        return x, y, z, *cov, np.zeros(n), bright

    def _cytoplasm(
        self, rng: np.random.Generator, cx: F64, cy: F64, base: F64, orientation: F64
    ) -> tuple[F64, ...]:
        k = _LOBES_PER_CELL
        n = cx.size * k
        angle = np.repeat(orientation, k) + rng.normal(0, 0.6, n)
        reach = rng.uniform(2.0, 9.0, n)
        x = np.repeat(cx, k) + reach * np.cos(angle)
        y = np.repeat(cy, k) + reach * np.sin(angle)
        cov = _covariance(rng.uniform(5.0, 11.0, n), rng.uniform(2.5, 5.0, n), angle)
        bright = self.spec.cytoplasm_brightness / k * rng.lognormal(0.0, 0.3, n)
        z = np.repeat(base, k) + 0.6 + rng.normal(0, 0.2, n)
        return x, y, z, *cov, np.ones(n), bright

    def _puncta(
        self, rng: np.random.Generator, cx: F64, cy: F64, base: F64, orientation: F64
    ) -> tuple[F64, ...]:
        k = _PUNCTA_PER_CELL
        n = cx.size * k
        along, across = rng.normal(0, 9.0, n), rng.normal(0, 4.0, n)
        c, s = np.cos(np.repeat(orientation, k)), np.sin(np.repeat(orientation, k))
        x = np.repeat(cx, k) + along * c - across * s
        y = np.repeat(cy, k) + along * s + across * c
        var = rng.uniform(0.25, 0.5, n) ** 2
        bright = self.spec.punctum_brightness * rng.lognormal(0.0, 0.5, n)
        z = np.repeat(base, k) + rng.uniform(0.2, 1.8, n)
        return x, y, z, var, np.zeros(n), var, np.full(n, 2.0), bright

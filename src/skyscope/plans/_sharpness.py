"""Image sharpness metrics for software autofocus: one number per frame, larger when sharper.

They are plain numpy functions (no event loop): the autofocus plan runs them on a worker thread
with ``asyncio.to_thread`` so scoring a large frame never stalls the engine.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

NumericFrame = npt.NDArray[np.number]
SharpnessMetric = Callable[[NumericFrame], float]
"""Scores a 2-D frame; a focus sweep peaks where this is largest."""

# For a Gaussian variable d, median(d**2) = 0.4549 * mean(d**2) (chi-square, 1 degree).
_MEDIAN_TO_MEAN_CHI2 = 0.4549


def _as_float(frame: NumericFrame) -> npt.NDArray[np.float32]:
    if frame.ndim != 2 or min(frame.shape) < 3:
        raise ValueError(f"sharpness needs a 2-D frame of at least 3x3, got shape {frame.shape}")
    return np.asarray(frame, dtype=np.float32)


def brenner(frame: NumericFrame) -> float:
    """Brenner's gradient: the mean squared difference of pixels two apart, both directions."""
    image = _as_float(frame)
    across = image[:, 2:] - image[:, :-2]
    down = image[2:, :] - image[:-2, :]
    return float(np.mean(across * across) + np.mean(down * down))


def denoised_brenner(frame: NumericFrame) -> float:
    """Brenner's gradient minus the part noise alone would give (the default metric).

    Far out of focus a widefield image is smooth but brighter in places, so camera noise grows
    and plain gradient metrics rise again. Most pixel pairs of a frame differ by noise only; the
    median squared difference estimates that noise floor (robustly), and it is subtracted.
    """
    image = _as_float(frame)
    total = 0.0
    for diff in (image[:, 2:] - image[:, :-2], image[2:, :] - image[:-2, :]):
        squared = diff * diff
        total += float(np.mean(squared)) - float(np.median(squared)) / _MEDIAN_TO_MEAN_CHI2
    return total


def normalized_variance(frame: NumericFrame) -> float:
    """Variance over mean: contrast that does not depend on the illumination's brightness."""
    image = _as_float(frame)
    mean = float(image.mean())
    return float(image.var()) / mean if mean > 0 else 0.0


METRICS: dict[str, SharpnessMetric] = {
    "denoised_brenner": denoised_brenner,
    "brenner": brenner,
    "normalized_variance": normalized_variance,
}
"""The metrics by name (the autofocus plan accepts a name or any callable)."""

"""Physical sizes of a run's images: pixel size (y, x), and the time between time points.

The pixel size at the sample is not something a frame knows. It is taken, first found first,
from the exporter's ``pixel_size_um`` argument, the start document's ``pixel_size_um`` (e.g.
``mda(..., md={"pixel_size_um": 0.65})``), or a configuration reading of the stream whose data
key ends in ``pixel_size_um`` (a device that reports it). A number is square pixels; a pair is
(y, x). The z step is measured per image from the planes' focus positions.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from skyscope.documents import EventDescriptor, RunStart

if TYPE_CHECKING:
    from ._ome_images import PositionImage

PixelSize = tuple[float, float]
"""The size of one pixel at the sample, (y, x), in micrometers."""

PIXEL_SIZE_KEY = "pixel_size_um"
"""The metadata key (or data key ending) that gives the pixel size in micrometers."""


def pixel_size_from_keys(mapping: Mapping[str, Any], where: str) -> PixelSize | None:
    """Return the pixel size ``mapping["pixel_size_um"]`` gives, or None if absent."""
    value = mapping.get(PIXEL_SIZE_KEY)
    if value is None:
        return None
    return checked_pixel_size(value, f"{PIXEL_SIZE_KEY} of the {where}")


def checked_pixel_size(value: Any, what: str) -> PixelSize:
    """Return ``value`` (a number or a (y, x) pair of positive numbers) as (y, x)."""
    pair = list(value) if isinstance(value, Sequence) and not isinstance(value, str) else None
    numbers = [value, value] if pair is None else pair
    if len(numbers) != 2 or not all(_positive(n) for n in numbers):
        raise ValueError(
            f"{what} must be a positive number or a (y, x) pair of them, not {value!r}"
        )
    return float(numbers[0]), float(numbers[1])


def find_pixel_size(descriptor: EventDescriptor) -> PixelSize | None:
    """Return the pixel size a configuration reading of the stream gives, if one does."""
    for name, configuration in descriptor.get("configuration", {}).items():
        for key, value in configuration.get("data", {}).items():
            if key.endswith(PIXEL_SIZE_KEY):
                return checked_pixel_size(value, f"configuration {key!r} of {name!r}")
    return None


def time_increment(start: RunStart, images: Sequence[PositionImage]) -> float | None:
    """Return the time between time points: the sequence's interval, else the median measured."""
    sequence = start.get("mda_sequence")
    plan = sequence.get("time_plan") if isinstance(sequence, Mapping) else None
    interval = plan.get("interval") if isinstance(plan, Mapping) else None
    if isinstance(interval, int | float) and _positive(interval):
        return float(interval)
    gaps = []
    for image in images:
        starts: dict[int, float] = {}
        for plane in image.planes.values():
            if plane.delta_t_s is not None:
                starts[plane.t] = min(starts.get(plane.t, plane.delta_t_s), plane.delta_t_s)
        gaps += [starts[t + 1] - starts[t] for t in starts if t + 1 in starts]
    gap = statistics.median(gaps) if gaps else 0.0
    return gap if gap > 0 else None


def _positive(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0

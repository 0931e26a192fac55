"""The images an MDA writes: one per stage position (grid tiles are positions), its own axes.

Planned from useq's events before anything moves: each position's image has exactly the
sequence's axes among t, c, z (absent ones dropped), sized by the largest index its events
reach (a sub-sequence sizes its own position); the scales come from the pixel size, the z
positions and the timepoints' start times; the translation from the stage position.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..writers import ImageAxes, ImageSpec

if TYPE_CHECKING:
    from useq import MDAEvent

IMAGE_AXES = ("t", "c", "z")
"""The leading axes an image may have, in OME order."""

_COLORS = {
    "dapi": "0000FF",
    "hoechst": "0000FF",
    "bfp": "0000FF",
    "cfp": "00FFFF",
    "fitc": "00FF00",
    "gfp": "00FF00",
    "yfp": "FFFF00",
    "tritc": "FF0000",
    "cy3": "FF8000",
    "rfp": "FF0000",
    "mcherry": "FF0000",
    "cy5": "FF00FF",
    "brightfield": "FFFFFF",
    "bf": "FFFFFF",
}
_PALETTE = ("00FF00", "FF00FF", "00FFFF", "FF0000", "0000FF", "FFFF00", "FFFFFF")


def channel_color(name: str, number: int) -> str:
    """Return a channel's display colour: from its dye's name, else from a fixed palette."""
    key = name.lower().replace("-", "").replace(" ", "")
    for dye, color in _COLORS.items():
        if dye in key:
            return color
    return _PALETTE[number % len(_PALETTE)]


@dataclass
class _Seen:
    """What the events of one position say about its image."""

    name: str
    well: tuple[str, str] | None = None
    sizes: dict[str, int] = field(default_factory=dict)
    channels: dict[int, str] = field(default_factory=dict)
    z_by_index: dict[int, float] = field(default_factory=dict)
    t_start: dict[int, float] = field(default_factory=dict)
    x: float | None = None
    y: float | None = None


class MdaLayout:
    """The images of an MDA and where each of its frames goes (image number, t/c/z coords)."""

    def __init__(
        self,
        events: Iterable[MDAEvent],
        axes: Iterable[str],
        pixel_size_um: float | None,
        *,
        plate: bool = False,
        timepoints: int | None = None,
        interval_s: float | None = None,
        z_shift: Callable[[MDAEvent], float] | None = None,
    ) -> None:
        """Plan the images from every frame event; ``axes`` are the sequence's used axes.

        Axes a position's sub-sequence adds (a z stack at one position) are axes of every
        image: the others have size 1 along them. With ``plate`` (a useq ``WellPlatePlan``),
        each position is a field of the well its name starts with (``"B3_0001"``).
        ``timepoints`` and ``interval_s``: the events are one timepoint's, standing for that
        many, that far apart. ``z_shift`` tells what to add to an event's planned z (the
        focus at the start, where useq's z counts from nothing).
        """
        used = set(axes)
        self._numbers: dict[tuple[int, int], int] = {}
        seen: list[_Seen] = []
        for event in events:
            if event.action is not None and event.action.type != "acquire_image":
                continue
            key = (event.index.get("p", 0), event.index.get("g", 0))
            if key not in self._numbers:
                self._numbers[key] = len(seen)
                seen.append(_Seen(_image_name(event, key), _well(event) if plate else None))
            _note(seen[self._numbers[key]], event, z_shift(event) if z_shift else 0.0)
            used.update(event.index)
        present = tuple(name for name in IMAGE_AXES if name in used)
        self._present = present
        for image in seen:
            if timepoints is not None:
                image.sizes["t"] = timepoints
                image.t_start = {0: 0.0, 1: interval_s} if interval_s else {}
        self.images = tuple(_spec(s, present, pixel_size_um) for s in seen)

    def address(self, event: MDAEvent) -> tuple[int, tuple[int, ...]]:
        """Return the image number and coordinates of ``event``'s frame."""
        key = (event.index.get("p", 0), event.index.get("g", 0))
        return self._numbers[key], tuple(event.index.get(name, 0) for name in self._present)


def _image_name(event: MDAEvent, key: tuple[int, int]) -> str:
    base = event.pos_name or f"p{key[0]}"
    return f"{base}_g{key[1]}" if "g" in event.index else base


_WELL = re.compile(r"^([A-Za-z]+)(\d+)(?:_\d+)?$")


def _well(event: MDAEvent) -> tuple[str, str]:
    """The (row, column) of the well a plate position's name starts with, e.g. B3_0001."""
    found = _WELL.match(event.pos_name or "")
    if found is None:
        raise ValueError(f"plate position {event.pos_name!r} does not name a well (e.g. 'B3_0001')")
    return found.group(1).upper(), found.group(2)


def _note(seen: _Seen, event: MDAEvent, z_shift: float) -> None:
    for name in IMAGE_AXES:
        index = int(event.index.get(name, 0))
        seen.sizes[name] = max(seen.sizes.get(name, 1), index + 1)
    c = int(event.index.get("c", 0))
    if event.channel is not None:
        seen.channels.setdefault(c, event.channel.config)
    if event.z_pos is not None:
        seen.z_by_index.setdefault(int(event.index.get("z", 0)), float(event.z_pos) + z_shift)
    if event.min_start_time is not None:
        seen.t_start.setdefault(int(event.index.get("t", 0)), float(event.min_start_time))
    if seen.x is None and event.x_pos is not None:
        seen.x = float(event.x_pos)
    if seen.y is None and event.y_pos is not None:
        seen.y = float(event.y_pos)


def _spec(seen: _Seen, present: tuple[str, ...], pixel_size_um: float | None) -> ImageSpec:
    sizes = {name: seen.sizes.get(name, 1) for name in present}
    scales: dict[str, float] = {}
    if pixel_size_um:
        scales.update(x=pixel_size_um, y=pixel_size_um)
    z_step = _step(seen.z_by_index)
    if "z" in sizes and z_step:
        scales["z"] = z_step
    interval = _step(seen.t_start)
    if "t" in sizes and interval:
        scales["t"] = interval
    translation = {"x": seen.x, "y": seen.y, "z": seen.z_by_index.get(0)}
    names = [seen.channels.get(i, f"channel {i}") for i in range(sizes.get("c", 0))]
    axes = ImageAxes(
        sizes=sizes,
        scales=scales,
        channel_names=names,
        channel_colors=[channel_color(n, i) for i, n in enumerate(names)],
        translation={k: v for k, v in translation.items() if v is not None},
        fixed=True,
    )
    return ImageSpec(seen.name, axes, seen.well)


def _step(by_index: dict[int, float]) -> float | None:
    """The typical step between successive indices (absolute), or None if it cannot be told."""
    steps = [abs(by_index[i + 1] - by_index[i]) / 1 for i in sorted(by_index) if i + 1 in by_index]
    step = statistics.median(steps) if steps else 0.0
    return step if step > 0 else None

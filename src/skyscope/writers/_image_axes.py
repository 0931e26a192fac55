"""The axes of a microscope image: which frame goes where, physical scales, units, channels.

OME (NGFF and OME-XML) orders axes t, c, z, y, x. Frames are 2-D (y, x); the leading axes
(any of t, c, z, in that order) index frames in C order, so frame ``i`` sits at
``numpy.unravel_index(i, leading sizes)`` and ``array.reshape(-1, y, x)[i]`` is frame ``i``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from math import prod
from typing import Literal

AxisType = Literal["time", "channel", "space"]
"""NGFF's axis types."""

AXIS_TYPES: dict[str, AxisType] = {
    "t": "time",
    "c": "channel",
    "z": "space",
    "y": "space",
    "x": "space",
}
"""Every axis name skyscope writes, in OME order, with its type."""

LEADING_AXES = ("t", "c", "z")
"""Axes that index frames, outermost first."""

_SI_PREFIXES = (
    *("", "atto", "centi", "deci", "exa", "femto", "giga", "hecto", "kilo", "mega"),
    *("micro", "milli", "nano", "peta", "pico", "tera", "yocto", "yotta", "zepto", "zetta"),
)

SPACE_UNITS = frozenset(prefix + "meter" for prefix in _SI_PREFIXES) | {
    "angstrom", "foot", "inch", "mile", "parsec", "yard"
}  # fmt: skip
"""Space units NGFF allows (UDUNITS-2 names)."""

TIME_UNITS = frozenset(prefix + "second" for prefix in _SI_PREFIXES) | {"minute", "hour", "day"}
"""Time units NGFF allows (UDUNITS-2 names)."""

_DEFAULT_UNITS = {"t": "second", "z": "micrometer", "y": "micrometer", "x": "micrometer"}


@dataclass(frozen=True)
class ImageAxes:
    """Sizes of the leading axes (none: one growing ``t``), scales, units and channel names."""

    sizes: Mapping[str, int] = field(default_factory=dict)
    """Leading axes and their sizes, e.g. ``{"t": 10, "c": 2, "z": 5}``; empty: frames grow on t."""
    scales: Mapping[str, float] = field(default_factory=dict)
    """Physical step per axis (t, z, y, x), e.g. ``{"y": 0.65, "x": 0.65}``; missing means 1."""
    units: Mapping[str, str] = field(default_factory=dict)
    """Units replacing the defaults (micrometer for z, y, x; second for t)."""
    channel_names: Sequence[str] = ()
    """One name per channel (length ``sizes["c"]``)."""
    channel_colors: Sequence[str] = ()
    """One display colour per channel, ``RRGGBB`` hex (length ``sizes["c"]``)."""
    translation: Mapping[str, float] = field(default_factory=dict)
    """Where the image's origin is, per axis (t, z, y, x), e.g. the stage position in µm."""
    fixed: bool = False
    """With no sizes: one frame and no leading axis (``y, x``) instead of a growing ``t``."""

    def __post_init__(self) -> None:
        _check_sizes(self.sizes)
        _check_scales(self.scales)
        _check_units(self.units)
        _check_scales(self.translation, positive=False)
        channels = self.sizes.get("c") or 0
        for what, given in (("name", self.channel_names), ("colour", self.channel_colors)):
            if given and len(given) != channels:
                raise ValueError(f"{len(given)} channel {what}(s) given for {channels} channel(s)")
        bad = [c for c in self.channel_colors if len(c) != 6 or not _is_hex(c)]
        if bad:
            raise ValueError(f"channel colours are RRGGBB hex strings, got {bad}")

    @property
    def leading(self) -> tuple[str, ...]:
        """Return the leading axis names in OME order (``("t",)`` when sizes are not known)."""
        named = tuple(name for name in LEADING_AXES if name in self.sizes)
        return named or (() if self.fixed else ("t",))

    @property
    def capacity(self) -> int | None:
        """Return how many frames the image holds (``None``: it grows)."""
        grows = not self.sizes and not self.fixed
        return None if grows else prod(self.sizes[name] for name in self.leading)

    def shape(self, frame_shape: tuple[int, ...], frames: int = 0) -> tuple[int, ...]:
        """Return the image's shape: leading sizes (or ``frames`` when growing) and the frame's."""
        if not self.sizes and not self.fixed:
            return (frames, *frame_shape)
        return (*(self.sizes[name] for name in self.leading), *frame_shape)

    def position(self, index: int) -> tuple[int, ...]:
        """Return frame ``index``'s position along the leading axes (C order)."""
        if not self.sizes and not self.fixed:
            return (index,)
        position = []
        for name in reversed(self.leading):
            index, along = divmod(index, self.sizes[name])
            position.append(along)
        return tuple(reversed(position))

    def names(self) -> tuple[str, ...]:
        """Return all axis names, leading then y, x."""
        return (*self.leading, "y", "x")

    def unit(self, name: str) -> str | None:
        """Return the unit of axis ``name``: none for channels, nor for a scale not given.

        A unit claims a physical step: without a scale the step is only an index.
        """
        if name in self.units:
            return self.units[name]
        return _DEFAULT_UNITS.get(name) if name in self.scales else None

    def scale(self, name: str) -> float:
        """Return the physical step of axis ``name`` (1 when not given)."""
        return float(self.scales.get(name, 1.0))

    def channel_color(self, index: int) -> str | None:
        """Return channel ``index``'s colour (``None`` when none was given)."""
        return self.channel_colors[index] if self.channel_colors else None

    def offset(self, name: str) -> float:
        """Return where axis ``name`` starts (0 when not given)."""
        return float(self.translation.get(name, 0.0))

    def channel_name(self, index: int) -> str:
        """Return channel ``index``'s name (``"channel <index>"`` when none was given)."""
        return self.channel_names[index] if self.channel_names else f"channel {index}"


def _check_sizes(sizes: Mapping[str, int]) -> None:
    unknown = set(sizes) - set(LEADING_AXES)
    if unknown:
        raise ValueError(f"leading axes must be among t, c, z; got {sorted(unknown)}")
    bad = {name: n for name, n in sizes.items() if not isinstance(n, int) or n < 1}
    if bad:
        raise ValueError(f"axis sizes must be positive integers, got {bad}")


def _check_scales(scales: Mapping[str, float], *, positive: bool = True) -> None:
    what = "scales" if positive else "translations"
    unknown = set(scales) - (set(AXIS_TYPES) - {"c"})
    if unknown:
        raise ValueError(f"{what} are for axes t, z, y, x; got {sorted(unknown)}")
    bad = {n: s for n, s in scales.items() if not (s > 0 if positive else math.isfinite(s))}
    if bad:
        raise ValueError(f"{what} must be {'positive' if positive else 'finite'}, got {bad}")


def _is_hex(text: str) -> bool:
    try:
        int(text, 16)
    except ValueError:
        return False
    return True


def _check_units(units: Mapping[str, str]) -> None:
    for name, unit in units.items():
        allowed = TIME_UNITS if name == "t" else SPACE_UNITS
        if name not in AXIS_TYPES or name == "c":
            raise ValueError(f"units are for axes t, z, y, x; got {name!r}")
        if unit not in allowed:
            raise ValueError(f"{unit!r} is not an OME unit for axis {name!r}")

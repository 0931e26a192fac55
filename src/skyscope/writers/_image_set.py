"""Several images written at once (one per stage position), each frame to its place in one.

An MDA's frames arrive in acquisition order, not image by image: each comes with the image
it belongs to and its coordinates along that image's leading axes (t, c, z).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod

from ._image_axes import ImageAxes


@dataclass(frozen=True)
class ImageSpec:
    """One image of a set: its name (e.g. the position's) and its axes, scales and offsets."""

    name: str
    axes: ImageAxes
    well: tuple[str, str] | None = None
    """The plate well (row name, column name) the image is a field of; ``None``: no plate."""


@dataclass(frozen=True)
class FrameAddress:
    """Where one frame goes: image number and coordinates along its leading axes."""

    image: int
    coords: tuple[int, ...]


def check_images(images: tuple[ImageSpec, ...]) -> None:
    """Refuse an empty set, growing images (sizes must be known) and repeated names."""
    if not images:
        raise ValueError("an image set needs at least one image")
    for spec in images:
        if spec.axes.capacity is None:
            raise ValueError(f"image {spec.name!r} has no sizes: give t, c, z sizes or fixed=True")
    names = [spec.name for spec in images]
    if len(set(names)) != len(names):
        raise ValueError(f"image names must differ, got {names}")
    in_wells = {spec.well is not None for spec in images}
    if len(in_wells) > 1:
        raise ValueError("either every image is a field of a plate well or none is")


def check_address(images: tuple[ImageSpec, ...], address: FrameAddress) -> None:
    """Raise a ValueError naming the problem if ``address`` is outside the set."""
    if not 0 <= address.image < len(images):
        raise ValueError(f"image {address.image} does not exist: there are {len(images)}")
    axes = images[address.image].axes
    sizes = tuple(axes.sizes[name] for name in axes.leading)
    if len(address.coords) != len(sizes) or not all(
        0 <= n < size for n, size in zip(address.coords, sizes, strict=True)
    ):
        raise ValueError(
            f"coordinates {address.coords} are outside image {images[address.image].name!r} "
            f"(axes {axes.leading}, sizes {sizes})"
        )


def flat_index(axes: ImageAxes, coords: tuple[int, ...]) -> int:
    """Return the frame's index when the image's leading axes are flattened in C order.

    Plain arithmetic: it runs once per frame on the loop, where numpy's call costs more.
    """
    index = 0
    for n, name in zip(coords, axes.leading, strict=True):
        index = index * axes.sizes[name] + n
    return index


def frame_count(axes: ImageAxes) -> int:
    """Return how many frames the image holds."""
    return prod(axes.sizes[name] for name in axes.leading)

"""What an OME export holds: planes, one image of them per stage position, and the run's facts."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from itertools import product
from typing import Any

import numpy as np

from skyscope.documents import RunStart, StreamResource
from skyscope.writers import Frame

from ._ome_frames import ResourceFrames
from ._ome_physical import PixelSize

PlaneIndex = tuple[int, int, int]
"""A plane's place in its position's image: (t, c, z)."""

FrameLocation = tuple[StreamResource, int]
"""Where a frame's pixels are: a stream resource and the frame's index in it."""


@dataclass(frozen=True)
class Plane:
    """One acquired frame: its place, what its event says about it, and where its pixels are."""

    t: int
    c: int
    z: int
    delta_t_s: float | None = None
    """Seconds from the run's start to the frame's start (None: not known)."""
    x_um: float | None = None
    y_um: float | None = None
    z_um: float | None = None
    exposure_ms: float | None = None
    row: int = 0
    """The frame's row (seq_num) in its stream: acquisition order."""
    descriptor: str = ""
    """The uid of the descriptor of the frame's stream."""
    inline: Frame | None = None
    """The pixels, when the event carries them."""
    source: FrameLocation | None = None
    """Where the pixels are, when a detector's file holds them."""


@dataclass
class PositionImage:
    """The planes of one stage position (useq position ``p``, grid tile ``g``)."""

    name: str
    position: tuple[int, int]
    planes: dict[PlaneIndex, Plane] = field(default_factory=dict)
    repeated: list[PlaneIndex] = field(default_factory=list)
    """Places acquired more than once (the last frame is kept)."""

    @property
    def sizes(self) -> dict[str, int]:
        """Return the t, c, z sizes: one past the highest index acquired on each axis."""
        return {axis: 1 + max(place[i] for place in self.planes) for i, axis in enumerate("tcz")}

    def places(self) -> list[PlaneIndex]:
        """Return every (t, c, z) of the image, t slowest and z fastest (OME's XYZCT)."""
        sizes = self.sizes
        return list(product(range(sizes["t"]), range(sizes["c"]), range(sizes["z"])))

    @property
    def missing(self) -> list[PlaneIndex]:
        """Return the places no frame was acquired for (left as zeros in the files)."""
        return [place for place in self.places() if place not in self.planes]

    @property
    def first(self) -> Plane:
        """Return the plane acquired first."""
        return min(self.planes.values(), key=lambda plane: plane.row)

    def z_step_um(self) -> float | None:
        """Return the median focus step between neighbouring z planes (None with one plane)."""
        steps = [
            abs(b.z_um - a.z_um)
            for a in self.planes.values()
            if a.z_um is not None
            for b in [self.planes.get((a.t, a.c, a.z + 1))]
            if b is not None and b.z_um is not None
        ]
        step = statistics.median(steps) if steps else 0.0
        return step if step > 0 else None


@dataclass
class RunImages:
    """Everything the OME files of one run hold."""

    start: RunStart
    images: list[PositionImage]
    frame_shape: tuple[int, int]
    dtype: np.dtype[Any]
    channel_names: list[str]
    pixel_size: PixelSize | None
    time_increment_s: float | None

    def frame(self, image: PositionImage, place: PlaneIndex, files: ResourceFrames) -> Frame:
        """Return the pixels of an acquired plane, as the run's frame shape and type."""
        plane = image.planes[place]
        if plane.inline is not None:
            pixels = plane.inline
        elif plane.source is not None:
            pixels = files.frame(*plane.source)
        else:
            raise ValueError(f"plane (t, c, z) = {place} of {image.name!r} has no pixels")
        if pixels.shape != self.frame_shape:
            raise ValueError(
                f"plane (t, c, z) = {place} of {image.name!r} is {pixels.shape}, not the run's "
                f"frame shape {self.frame_shape}"
            )
        return pixels.astype(self.dtype.newbyteorder("<"), copy=False)

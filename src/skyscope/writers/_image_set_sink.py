"""The thread-side half of an image set writer: one store holding several images."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

import numpy as np

from ._image_set import FrameAddress, ImageSpec, flat_index, frame_count
from ._stream_assets import Frame, file_uri

_SAMPLE_ABOVE = 512 * 512
"""Frames with more pixels have their display range taken from every 4th row and column."""


class ImageSetSink(ABC):
    """Where a writer's worker thread puts frames of several images; one thread calls it.

    It keeps each channel's pixel range (display windows come from the data) and which frames
    arrived (those never taken are listed in the metadata at close).
    """

    mimetype: str
    """The stream resource's mimetype."""
    kind: str
    """What the store is called in messages."""

    def __init__(self, path: Path, images: tuple[ImageSpec, ...]) -> None:
        self.path = path
        self.images = images
        self._taken: list[set[int]] = [set() for _ in images]
        self._ranges: list[list[tuple[float, float] | None]] = [
            [None] * (spec.axes.sizes.get("c") or 0) for spec in images
        ]

    def uri(self, image: int) -> str:
        """Return the ``file://`` URI of the file holding ``image``."""
        del image
        return file_uri(self.path)

    @abstractmethod
    def parameters(self, image: int) -> dict[str, Any]:
        """Return the stream resource's parameters for ``image``'s frames."""

    def put(self, address: FrameAddress, frame: Frame) -> None:
        """Write one frame, noting that it was taken and its pixel range."""
        axes = self.images[address.image].axes
        self.write(address, frame)
        self._taken[address.image].add(flat_index(axes, address.coords))
        if "c" in axes.sizes and frame.size:
            channel = address.coords[axes.leading.index("c")]
            sample = frame[::4, ::4] if frame.size > _SAMPLE_ABOVE else frame
            low, high = float(np.min(sample)), float(np.max(sample))
            seen = self._ranges[address.image][channel]
            if seen is not None:
                low, high = min(low, seen[0]), max(high, seen[1])
            self._ranges[address.image][channel] = (low, high)

    def windows(self, image: int) -> list[tuple[float, float]] | None:
        """Return each channel's (min, max) seen, or ``None`` when a channel has no frame."""
        ranges = self._ranges[image]
        if not ranges or any(r is None for r in ranges):
            return None
        return [r for r in ranges if r is not None]

    def not_taken(self, image: int) -> list[list[int]]:
        """Return the coordinates of the frames never taken, up to the last timepoint reached.

        Timepoints after it (a run stopped early) are not listed: ``taken`` counts the frames.
        """
        axes = self.images[image].axes
        sizes = tuple(axes.sizes[name] for name in axes.leading)
        taken = self._taken[image]
        if not sizes or not taken:
            return []
        total = frame_count(axes)
        block = total // sizes[0] if axes.leading[0] == "t" else total
        reached = (max(taken) // block + 1) * block
        missing = sorted(set(range(reached)) - taken)
        return [[int(n) for n in np.unravel_index(i, sizes)] for i in missing]

    def taken(self, image: int) -> int:
        """Return how many of the image's frames were written."""
        return len(self._taken[image])

    @abstractmethod
    def write(self, address: FrameAddress, frame: Frame) -> None:
        """Write one frame at its address."""

    @abstractmethod
    def sync(self) -> None:
        """Make every frame written so far visible to other readers (processes included)."""

    @abstractmethod
    def close(self) -> None:
        """Complete the metadata (windows, frames not taken) and release the store."""

    def describe(self) -> str:
        """Name the store for error messages."""
        return f"{self.kind} '{self.path}'"

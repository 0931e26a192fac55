"""Zarr v3 shard files written directly by a writer thread: many frames per file.

A shard holds a block of frames along an image's leading axes, each frame one (compressed)
inner chunk, with the chunk index at the start of the file. A frame's chunk is appended to its
shard; ``sync`` rewrites the index of every shard that grew, so a frame becomes readable only
once the index points at it, and a process killed between two syncs leaves every acknowledged
frame as it was. Appending to one file costs a fraction of creating one file per frame.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import google_crc32c
import numpy as np

from ._directories import DirectoryMaker

SHARD_BYTES = 64 << 20
"""A shard spans as much of the first leading axis as fits in this many bytes of raw pixels,"""
SHARD_CHUNKS = 256
"""and in this many frames (its index, rewritten at each sync, then fits in one 4 KiB page)."""

_EMPTY = np.uint64(2**64 - 1)


def shard_extent(sizes: Sequence[int | None], frame_bytes: int) -> tuple[int, ...]:
    """A shard's extent along the leading axes (``None``: the axis grows).

    Every axis but the first is whole (a timepoint's channels and planes share a file); the
    first holds as many steps as fit in ``SHARD_BYTES`` and ``SHARD_CHUNKS`` (at least one).
    """
    if not sizes:
        return ()
    rest = [int(n or 1) for n in sizes[1:]]
    step = math.prod(rest)
    fits = max(1, min(SHARD_BYTES // max(1, step * frame_bytes), SHARD_CHUNKS // step))
    first = sizes[0]
    return (fits if first is None else min(first, fits), *rest)


class _Shard:
    """One shard file being filled: its chunk index in memory, its end offset on disk."""

    def __init__(self, path: Path, chunks: int) -> None:
        self.path = path
        self.index = np.full((chunks, 2), _EMPTY, dtype="<u8")
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        self.end = chunks * 16 + 4
        self.dirty = True
        self.missing = chunks

    def append(self, chunk: int, payload: bytes | memoryview) -> None:
        """Write a chunk after the last one; it is found only once the index is written."""
        written = os.pwrite(self.fd, payload, self.end)
        if written != len(payload):
            raise OSError(f"short write to {self.path}: {written} of {len(payload)} bytes")
        if self.index[chunk, 0] == _EMPTY:
            self.missing -= 1
        self.index[chunk] = (self.end, len(payload))
        self.end += len(payload)
        self.dirty = True

    def write_index(self) -> None:
        """Write the index and its CRC32C at the start of the file (one small write)."""
        raw = self.index.tobytes()
        crc = google_crc32c.value(raw).to_bytes(4, "little")
        os.pwrite(self.fd, raw + crc, 0)
        self.dirty = False


class ShardFiles:
    """The shard files of one array (index at the start), filled frame by frame."""

    def __init__(self, array: Any, array_dir: Path, extent: tuple[int, ...]) -> None:
        """Write ``array``'s shards (zarr array, for its chunk key encoding) in ``array_dir``."""
        self._metadata = array.metadata
        self._array_dir = array_dir
        self._extent = extent
        self._tail = (0,) * (len(array.shape) - len(extent))
        self._directories = DirectoryMaker(array_dir)
        self._open: dict[tuple[int, ...], _Shard] = {}

    def append(self, coords: tuple[int, ...], payload: bytes | memoryview) -> None:
        """Append the chunk at leading ``coords`` to its shard (readable after ``sync``)."""
        extent = self._extent
        block = tuple(n // s for n, s in zip(coords, extent, strict=True))
        shard = self._open.get(block)
        if shard is None:
            key = self._metadata.encode_chunk_key((*block, *self._tail))
            path = self._array_dir / key
            self._directories.make(path.parent)
            shard = self._open[block] = _Shard(path, math.prod(extent))
        inner = tuple(n % s for n, s in zip(coords, extent, strict=True))
        shard.append(int(np.ravel_multi_index(inner, extent)) if inner else 0, payload)

    def sync(self) -> None:
        """Write the index of every shard that grew (its new frames become readable).

        Full shards are closed then: a long run keeps only the shards being filled open.
        """
        full = []
        for block, shard in self._open.items():
            if shard.dirty:
                shard.write_index()
            if not shard.missing:
                full.append(block)
        for block in full:
            os.close(self._open.pop(block).fd)

    def close(self) -> None:
        """Write the last indices and close the files."""
        try:
            self.sync()
        finally:
            for shard in self._open.values():
                os.close(shard.fd)
            self._open.clear()

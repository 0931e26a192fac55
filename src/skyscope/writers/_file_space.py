"""Disk space claimed before a library writes into a file, so "disk full" leaves it intact.

HDF5 records the file's end in its superblock before the data lands; if the disk fills up (or
the process hits its file-size limit) in between, the file claims bytes it does not have and no
longer opens. Claiming the space first with ``posix_fallocate`` turns that into a clean error
raised before HDF5 writes anything, while the file is still consistent.
"""

from __future__ import annotations

import os
from pathlib import Path

_SLACK = 64 << 10
"""Room kept for the metadata HDF5 adds along with each chunk (chunk index, headers)."""

_STEP = 16 << 20
"""How far ahead to claim space at least, so claiming is rare."""


class FileSpace:
    """Claims room ahead of a file's end, and gives back what is unused when it closes."""

    def __init__(self, path: Path, chunk_bytes: int) -> None:
        self._fd = os.open(path, os.O_RDWR)
        self._step = max(_STEP, 16 * chunk_bytes)
        self._claimed = 0

    def reserve(self, end: int, nbytes: int) -> None:
        """Make sure ``nbytes`` can be added after ``end``; raise OSError (ENOSPC…) if not."""
        needed = end + nbytes + _SLACK
        if needed <= self._claimed or not hasattr(os, "posix_fallocate"):
            return
        try:
            os.posix_fallocate(self._fd, 0, needed + self._step)
            self._claimed = needed + self._step
        except OSError:
            os.posix_fallocate(self._fd, 0, needed)  # just this much, or the real error
            self._claimed = needed

    def release(self, end: int) -> None:
        """Cut the file back to ``end`` (what the library uses), dropping the unused claim."""
        if self._claimed > end:
            os.ftruncate(self._fd, end)
        self._claimed = 0

    def close(self, *, fsync: bool) -> None:
        """Optionally push the file to the disk, then let go of it."""
        try:
            if fsync:
                os.fsync(self._fd)
        finally:
            os.close(self._fd)

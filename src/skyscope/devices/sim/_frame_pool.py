"""Reusable frame buffers for the simulated camera, lent out and taken back when nothing holds them.

Allocating a fresh multi-megabyte frame per snap costs page faults and, on the main thread,
glibc giving the memory back and taking it again. The pool lends each frame through its own
small ``_Lease`` object, the frame's numpy base: every view of the frame keeps the lease alive,
so the buffer returns to the pool only once the writer (and anyone else) has dropped every
array made from it. A frame is therefore never overwritten while something still holds it.
"""

from __future__ import annotations

import threading
import weakref
from collections import deque
from typing import Any

import numpy as np

from ._synth import SensorFrame


class _Lease:
    """The owner (numpy base) of one lent frame: its death hands the buffer back."""

    __slots__ = ("__array_interface__", "__weakref__", "buffer")

    def __init__(self, buffer: SensorFrame, interface: dict[str, Any]) -> None:
        self.buffer = buffer
        self.__array_interface__ = interface


_Buffer = tuple[SensorFrame, dict[str, Any]]
"""A pooled array and its (cached) ``__array_interface__``."""


class FramePool:
    """Lends frames of one shape and dtype, reusing at most ``limit`` buffers.

    When every pooled buffer is still held, ``take`` returns a fresh array that is not pooled,
    so a consumer that keeps frames (for any reason) costs memory but never gets them changed.
    Buffers come back from whichever thread drops a frame last; ``take`` is called by one
    thread at a time.
    """

    def __init__(self, limit: int) -> None:
        """Make an empty pool that keeps up to ``limit`` buffers (at least one)."""
        if limit < 1:
            raise ValueError(f"a frame pool needs a limit of at least 1 buffer, got {limit}")
        self._limit = limit
        self._key: tuple[tuple[int, ...], np.dtype[Any]] | None = None
        self._free: deque[_Buffer] = deque()
        self._leases: set[weakref.ref[_Lease]] = set()
        self._pooled = 0
        self._generation = 0
        self._lock = threading.Lock()

    @property
    def limit(self) -> int:
        """Return how many buffers the pool keeps at most."""
        return self._limit

    @property
    def pooled(self) -> int:
        """Return how many buffers the pool owns now (lent or free)."""
        return self._pooled

    def take(self, shape: tuple[int, ...], dtype: np.dtype[Any]) -> SensorFrame:
        """Return a frame of ``shape`` and ``dtype`` with unspecified contents, for filling."""
        key = (shape, dtype)
        if key != self._key:
            self._restart(key)
        try:
            entry = self._free.pop()
        except IndexError:
            if self._pooled >= self._limit:
                return np.empty(shape, dtype)
            buffer = np.empty(shape, dtype)
            entry = (buffer, buffer.__array_interface__)
            self._pooled += 1
        return self._lend(entry, self._generation)

    def _lend(self, entry: _Buffer, generation: int) -> SensorFrame:
        """Wrap a buffer in a new lease; when the lease dies the buffer comes back."""
        lease = _Lease(*entry)

        def give_back(reference: weakref.ref[_Lease]) -> None:
            self._leases.discard(reference)
            self._give_back(entry, generation)

        self._leases.add(weakref.ref(lease, give_back))
        frame: SensorFrame = np.asarray(lease)
        return frame

    def _restart(self, key: tuple[tuple[int, ...], np.dtype[Any]]) -> None:
        """Forget the buffers of another shape; ones still lent are dropped when returned."""
        with self._lock:
            self._key = key
            self._free.clear()
            self._pooled = 0
            self._generation += 1

    def _give_back(self, entry: _Buffer, generation: int) -> None:
        """Put a buffer back (any thread) unless the pool has moved on to another shape."""
        with self._lock:
            if generation == self._generation:
                self._free.append(entry)

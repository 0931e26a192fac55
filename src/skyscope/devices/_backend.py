"""The one small interface every signal backend implements: soft, mock, Channel Access…

A signal owns a backend and delegates its I/O to it, so a whole device tree switches from real
hardware to a mock by choosing backends at connect time, and a new control system is one class.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Generic, TypeVar

from ..documents import DataKey, Reading

T = TypeVar("T")

ReadingCallback = Callable[[Reading[T]], None]


class SignalBackend(ABC, Generic[T]):
    """Talks to wherever a signal's value lives."""

    @abstractmethod
    def source(self, name: str) -> str:
        """Return the URI-like source of the value (``soft://name``, ``ca://PV``)."""

    @abstractmethod
    async def connect(self, timeout: float) -> None:
        """Connect, or raise an error that names what could not be reached within ``timeout``."""

    @abstractmethod
    async def put(self, value: T | None, wait: bool) -> None:
        """Write ``value`` (``None`` triggers an executable signal); with ``wait``, until done."""

    @abstractmethod
    async def get_datakey(self, source: str) -> DataKey:
        """Describe the value: dtype, shape, units, precision, limits, choices."""

    @abstractmethod
    async def get_reading(self) -> Reading[T]:
        """Return the current value with its timestamp (and alarm severity where there is one)."""

    @abstractmethod
    async def get_value(self) -> T:
        """Return the current value alone."""

    @abstractmethod
    async def get_setpoint(self) -> T:
        """Return the last value written (the setpoint), or the current value if none was."""

    @abstractmethod
    def set_callback(self, callback: ReadingCallback[T] | None) -> None:
        """Call ``callback`` with each new reading (first with the current one); ``None`` stops."""

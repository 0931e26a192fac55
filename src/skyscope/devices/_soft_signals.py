"""Factories for soft signals: in-memory values with units, precision, limits and choices."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypedDict, TypeVar, Unpack

from ._mock import MockSignalBackend
from ._signal import SignalR, SignalRW, SignalX
from ._soft import LimitsLike, SignalMetadata, SoftSignalBackend

T = TypeVar("T")


class SoftMetadata(TypedDict, total=False):
    """The optional metadata of a soft signal, as keyword arguments of the factories."""

    units: str | None
    precision: int | None
    limits: LimitsLike | None
    choices: Sequence[str] | None


def soft_signal_rw(
    datatype: type[T],
    initial_value: T | None = None,
    name: str = "",
    **metadata: Unpack[SoftMetadata],
) -> SignalRW[T]:
    """Make a read-write signal kept in memory; writes are type- and limit-checked.

    ``units``, ``precision``, ``limits`` (``(low, high)``) and ``choices`` show in describe().
    """
    return SignalRW(_soft_backend(datatype, initial_value, metadata), name=name)


def soft_signal_r_and_setter(
    datatype: type[T],
    initial_value: T | None = None,
    name: str = "",
    **metadata: Unpack[SoftMetadata],
) -> tuple[SignalR[T], Callable[[T], None]]:
    """Make a read-only signal kept in memory, and the function that sets its value."""
    signal = SignalR(_soft_backend(datatype, initial_value, metadata), name=name)
    return signal, _setter_for(signal)


def soft_signal_x(name: str = "") -> SignalX:
    """Make an executable signal kept in memory (a trigger that only records it was fired)."""
    return SignalX(SoftSignalBackend(SignalMetadata(None)), name=name)


def _soft_backend(
    datatype: type[T], initial_value: T | None, metadata: SoftMetadata
) -> SoftSignalBackend[T]:
    return SoftSignalBackend(SignalMetadata(datatype, **metadata), initial_value)


def _setter_for(signal: SignalR[T]) -> Callable[[T], None]:
    """Set the value on whatever backend the signal uses now (soft, or mock after connect)."""

    def set_value(value: T) -> None:
        backend = signal.backend
        if isinstance(backend, MockSignalBackend):
            backend.set_value(value)
        elif isinstance(backend, SoftSignalBackend):
            backend.update(value)
        else:
            raise TypeError(f"{signal!r} is not a soft signal: it has no setter")

    return set_value

"""Public helpers that drive a signal's mock backend in tests (after ``connect(mock=True)``)."""

from __future__ import annotations

from typing import Any, TypeVar

from ._mock import MockSignalBackend, PutCallback
from ._signal import Signal

T = TypeVar("T")


def get_mock(signal: Signal[T]) -> MockSignalBackend[T]:
    """Return the signal's mock backend, or say clearly that the signal is not mocked."""
    backend = signal.backend
    if not isinstance(backend, MockSignalBackend):
        raise TypeError(f"{signal!r} is not mocked: connect its device with mock=True first")
    return backend


def set_mock_value(signal: Signal[T], value: T) -> None:
    """Make the signal read ``value``, as if the hardware had changed (not recorded as a put)."""
    get_mock(signal).set_value(value)


def get_mock_puts(signal: Signal[T]) -> list[T | None]:
    """Return every value put to the signal so far, oldest first."""
    return list(get_mock(signal).puts)


def reset_mock_puts(signal: Signal[Any]) -> None:
    """Forget the puts recorded so far."""
    get_mock(signal).puts.clear()


def set_mock_put_proceeds(signal: Signal[Any], proceeds: bool) -> None:
    """With ``False``, puts that wait block until this is called again with ``True``."""
    get_mock(signal).set_put_proceeds(proceeds)


def set_mock_put_fails(signal: Signal[Any], error: BaseException | None) -> None:
    """Make every put raise ``error`` (the value is not stored); ``None`` makes puts work again."""
    get_mock(signal).put_error = error


def callback_on_mock_put(signal: Signal[Any], callback: PutCallback | None) -> None:
    """Call ``callback(value, wait)`` (plain or async) on each put, after the value is stored."""
    get_mock(signal).put_callback = callback

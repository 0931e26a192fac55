"""``MockSignalBackend``: what every signal talks to after ``connect(mock=True)``.

It keeps the value in memory like a soft signal and records every put, and a test can make puts
block until released or fail, to check how a device copes. The helpers in ``_mock_helpers``
(``set_mock_value``, ``get_mock_puts``…) are the public way to drive it.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from ..documents import DataKey, Reading
from ._backend import ReadingCallback, SignalBackend
from ._soft import SignalMetadata, SoftSignalBackend

T = TypeVar("T")

PutCallback = Callable[[Any, bool], Awaitable[None] | None]
"""Called with ``(value, wait)`` on each mock put, after the value is stored."""


class MockSignalBackend(SignalBackend[T]):
    """An in-memory stand-in for any backend: records puts, can block or fail them."""

    def __init__(self, datatype: type[T] | None, stand_in_for: SignalBackend[T] | None = None):
        """Mock a signal of ``datatype``; copy value and metadata when replacing a soft backend."""
        self.datatype = datatype
        self.stand_in_for = stand_in_for
        if isinstance(stand_in_for, SoftSignalBackend):
            self.soft: SoftSignalBackend[T] = SoftSignalBackend(
                stand_in_for.metadata, stand_in_for.value
            )
        else:
            self.soft = SoftSignalBackend(SignalMetadata(datatype))
        self.puts: list[T | None] = []
        self.put_error: BaseException | None = None
        self.put_callback: PutCallback | None = None
        self._proceeds = asyncio.Event()
        self._proceeds.set()

    def set_value(self, value: Any) -> None:
        """Set the value as if the hardware had changed it (not recorded as a put)."""
        self.soft.update(value)

    def set_put_proceeds(self, proceeds: bool) -> None:
        """Let puts complete (``True``) or make them block until allowed again (``False``)."""
        if proceeds:
            self._proceeds.set()
        else:
            self._proceeds.clear()

    # --- SignalBackend -------------------------------------------------------------------------

    def source(self, name: str) -> str:
        """Return ``mock+<the real source>``, or ``mock://<name>``."""
        if self.stand_in_for is not None:
            return "mock+" + self.stand_in_for.source(name)
        return f"mock://{name}"

    async def connect(self, timeout: float) -> None:
        """Nothing to reach: a mock is always connected."""

    async def put(self, value: T | None, wait: bool) -> None:
        """Record the put; fail or block it if the test asked for that; else store the value."""
        self.puts.append(value)
        if self.put_error is not None:
            raise self.put_error
        if value is not None or self.datatype is None:
            self.soft.write(value)
        if self.put_callback is not None:
            result = self.put_callback(value, wait)
            if inspect.isawaitable(result):
                await result
        if wait:
            await self._proceeds.wait()

    async def get_datakey(self, source: str) -> DataKey:
        """Describe the current value (with the soft metadata when there is some)."""
        return await self.soft.get_datakey(source)

    async def get_reading(self) -> Reading[T]:
        """Return the current reading."""
        return await self.soft.get_reading()

    async def get_value(self) -> T:
        """Return the current value."""
        return self.soft.value

    async def get_setpoint(self) -> T:
        """Return the last value put (or the current value)."""
        return await self.soft.get_setpoint()

    def set_callback(self, callback: ReadingCallback[T] | None) -> None:
        """Call ``callback`` with the current reading now and with every new one."""
        self.soft.set_callback(callback)

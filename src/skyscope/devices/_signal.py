"""Signals: one typed value of a device, read and written through a backend.

``SignalR[T]`` reads, ``SignalW[T]`` writes, ``SignalRW[T]`` does both (and ``locate()``s),
``SignalX`` executes (``trigger()``). A signal delegates I/O to its ``SignalBackend``; connecting
with ``mock=True`` swaps in a ``MockSignalBackend`` so a whole tree runs without hardware.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from ..documents import DataKey, Reading
from ._backend import SignalBackend
from ._device import DEFAULT_TIMEOUT, Device
from ._errors import NotConnectedError
from ._mock import MockSignalBackend
from ._protocols import Hints, Location
from ._soft import SoftSignalBackend
from ._status import Status, describe_action

T = TypeVar("T")

ReadingsCallback = Callable[[dict[str, Reading[Any]]], None]
"""A subscriber of ``subscribe``: called with ``{name: reading}`` like ``read()`` returns."""
ValueCallback = Callable[[Any], None]
"""A subscriber of ``subscribe_value``: called with the bare value."""


class Signal(Device, Generic[T]):
    """A device leaf holding one value behind a backend (soft, mock, Channel Access…)."""

    def __init__(self, backend: SignalBackend[T], name: str = "") -> None:
        """Wrap ``backend``; the name usually comes from the parent's attribute."""
        self._real_backend = backend
        self._backend = backend
        self._instant = _is_in_memory(backend)
        self._subscribers: list[tuple[Callable[[Any], None], bool]] = []
        self._last_reading: Reading[T] | None = None
        super().__init__(name)

    @property
    def backend(self) -> SignalBackend[T]:
        """The backend the signal talks to now (a mock one after ``connect(mock=True)``)."""
        return self._backend

    @property
    def source(self) -> str:
        """Where the value lives, e.g. ``soft://scope-stage-x-velocity`` or ``ca://X:VELO``."""
        return self._backend.source(self.name)

    async def connect(self, mock: bool = False, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Connect the backend within ``timeout``, or switch to a mock one with ``mock=True``."""
        if mock:
            if not isinstance(self._backend, MockSignalBackend):
                self._use_backend(_mock_for(self._real_backend))
            return
        if self._backend is not self._real_backend:
            self._use_backend(self._real_backend)
        try:
            async with asyncio.timeout(timeout):
                await self._backend.connect(timeout)
        except TimeoutError as error:
            message = f"{self.source} did not connect within {timeout:g} s"
            raise NotConnectedError({self._label(): TimeoutError(message)}) from error
        except Exception as error:
            raise NotConnectedError({self._label(): error}) from error

    def _label(self) -> str:
        return f"{self.name or '(unnamed signal)'} ({self.source})"

    def _use_backend(self, backend: SignalBackend[T]) -> None:
        if self._subscribers:
            self._backend.set_callback(None)
        self._backend = backend
        self._instant = _is_in_memory(backend)
        if self._subscribers:
            backend.set_callback(self._deliver)

    def _soft_backend(self) -> SoftSignalBackend[T] | None:
        """Return the backend if it is plain soft (for synchronous fast paths), else ``None``."""
        backend = self._backend
        return backend if type(backend) is SoftSignalBackend else None

    def _reads_instantly(self) -> bool:
        """Whether reading needs no I/O (soft or mock), so callers may skip concurrency."""
        return self._instant

    def _deliver(self, reading: Reading[T]) -> None:
        self._last_reading = reading
        for function, wants_value in list(self._subscribers):
            function(reading["value"] if wants_value else {self.name: reading})


class SignalR(Signal[T]):
    """A signal that can be read, described and subscribed to."""

    async def read(self) -> dict[str, Reading[T]]:
        """Return ``{name: {"value", "timestamp", "alarm_severity"}}``."""
        return {self._name: await self._backend.get_reading()}

    def _read_now(self) -> dict[str, Reading[T]] | None:
        """``read()`` done synchronously when the value is soft (in memory), else ``None``."""
        soft = self._soft_backend()
        return None if soft is None else {self._name: soft.reading_now()}

    async def describe(self) -> dict[str, DataKey]:
        """Return ``{name: DataKey}`` with dtype, shape, units, precision, limits, choices."""
        return {self._name: await self._backend.get_datakey(self.source)}

    async def read_configuration(self) -> dict[str, Reading[T]]:
        """Read, as ``read()``: a signal can serve as a configuration field."""
        return await self.read()

    async def describe_configuration(self) -> dict[str, DataKey]:
        """Describe, as ``describe()``."""
        return await self.describe()

    async def get_value(self) -> T:
        """Return the current value alone."""
        return await self._backend.get_value()

    @property
    def hints(self) -> Hints:
        """Suggest plotting this signal's value."""
        return {"fields": [self._name]}

    def subscribe(self, function: ReadingsCallback) -> None:
        """Call ``function({name: reading})`` now and on every new value."""
        self._add_subscriber(function, wants_value=False)

    def subscribe_value(self, function: ValueCallback) -> None:
        """Call ``function(value)`` now and on every new value."""
        self._add_subscriber(function, wants_value=True)

    def clear_sub(self, function: Callable[[Any], None]) -> None:
        """Stop calling ``function`` (from ``subscribe`` or ``subscribe_value``)."""
        self._subscribers = [(f, v) for f, v in self._subscribers if f != function]
        if not self._subscribers:
            self._backend.set_callback(None)
            self._last_reading = None

    def _add_subscriber(self, function: Callable[[Any], None], wants_value: bool) -> None:
        first = not self._subscribers
        self._subscribers.append((function, wants_value))
        if first:
            self._backend.set_callback(self._deliver)
        elif self._last_reading is not None:
            reading = self._last_reading
            function(reading["value"] if wants_value else {self.name: reading})

    def stage(self) -> Status[None]:
        """Nothing to prepare: return a finished status."""
        return Status.succeeded(None, name=self._name, action="stage()")

    def unstage(self) -> Status[None]:
        """Nothing to clean up: return a finished status."""
        return Status.succeeded(None, name=self._name, action="unstage()")


class SignalW(Signal[T]):
    """A signal that can be written."""

    def set(
        self, value: T, wait: bool = True, timeout: float | None = DEFAULT_TIMEOUT
    ) -> Status[None]:
        """Write ``value``; the status is done when the write completes (``wait``) or is sent.

        A value of the wrong type or outside the limits fails the status with a clear reason.
        """
        action = describe_action("set", value)
        soft = self._soft_backend()
        if soft is not None:
            return _write_now(soft, value, self._name, action)
        put = self._backend.put(value, wait)
        return Status(put, name=self._name, action=action, timeout=timeout)


class SignalRW(SignalR[T], SignalW[T]):
    """A signal that can be read and written, and knows its setpoint."""

    async def locate(self) -> Location[T]:
        """Return where it was asked to be (``setpoint``) and where it is (``readback``)."""
        setpoint = await self._backend.get_setpoint()
        return {"setpoint": setpoint, "readback": await self._backend.get_value()}


class SignalX(Signal[None]):
    """An executable signal: writing it (``trigger()``) makes the hardware do something."""

    def trigger(self, wait: bool = True, timeout: float | None = DEFAULT_TIMEOUT) -> Status[None]:
        """Execute; the status is done when the hardware says it is (``wait``) or when sent."""
        soft = self._soft_backend()
        if soft is not None:
            return _write_now(soft, None, self._name, "trigger()")
        put = self._backend.put(None, wait)
        return Status(put, name=self._name, action="trigger()", timeout=timeout)


def _write_now(soft: SoftSignalBackend[T], value: T, name: str, action: str) -> Status[None]:
    try:
        soft.write(value)
    except Exception as error:
        return Status.failed(error, name=name, action=action)
    return Status.succeeded(None, name=name, action=action)


def _is_in_memory(backend: SignalBackend[Any]) -> bool:
    return isinstance(backend, SoftSignalBackend | MockSignalBackend)


def _mock_for(backend: SignalBackend[T]) -> MockSignalBackend[T]:
    datatype: type[T] | None = getattr(backend, "datatype", None)
    return MockSignalBackend(datatype, stand_in_for=backend)

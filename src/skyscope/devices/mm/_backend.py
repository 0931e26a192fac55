"""``CoreSignalBackend``: a signal whose value lives in a Micro-Manager core.

Reads and writes are functions of the core run on the worker thread (a property, an exposure,
a stage position…). Writes are checked before they reach the core. Subscriptions hear the
core's own events for the value (``topic``); a write the core does not announce is read back
and delivered, so subscribers always see the value the hardware took.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from ...documents import DataKey, Reading
from .._backend import ReadingCallback, SignalBackend
from .._soft import LimitsLike, SignalMetadata
from ._events import Topic
from ._link import CoreLink

T = TypeVar("T")


@dataclass(frozen=True)
class CoreValue(Generic[T]):
    """How one value is read from and written to the core, and how it is described."""

    datatype: type[T]
    source: str
    read: Callable[[Any], Any]
    """``read(core)`` on the worker thread: the raw value."""
    convert: Callable[[Any], T]
    """Turn a raw value (from ``read`` or an event) into the signal's type."""
    write: Callable[[Any, T], None] | None = None
    """``write(core, value)`` on the worker thread; ``None``: read-only."""
    check: Callable[[Any], T] | None = None
    """Refuse a bad value before it reaches the core (and return it converted)."""
    topic: Topic | None = None
    """The core event that announces a new value (its payload goes through ``convert``)."""
    busy: tuple[str, ...] = ()
    """Devices a write waits for (``deviceBusy``) before it is done."""
    units: str | None = None
    limits: LimitsLike | None = None
    choices: Sequence[str] | None = field(default=None)
    read_only_reason: str = "it is read-only"


class CoreSignalBackend(SignalBackend[T]):
    """Reads and writes one ``CoreValue`` through a ``CoreLink``."""

    def __init__(self, link: CoreLink, value: CoreValue[T]) -> None:
        """Serve ``value`` of ``link``'s core."""
        self.link = link
        self.value = value
        self.datatype = value.datatype
        choices = value.choices if value.datatype is str and value.choices else None
        self.metadata: SignalMetadata[T] = SignalMetadata(
            value.datatype, units=value.units, limits=value.limits, choices=choices
        )
        self._setpoint: T | None = None
        self._callback: ReadingCallback[T] | None = None
        self._forget: Callable[[], None] | None = None
        self._heard = 0

    def source(self, name: str) -> str:
        """Return ``mm://<device>/<value>``."""
        return self.value.source

    async def connect(self, timeout: float) -> None:
        """Read the value once: the core answers, and the value converts to the signal's type."""
        await self.get_value()

    async def put(self, value: T | None, wait: bool) -> None:
        """Check ``value``, write it on the worker; with ``wait``, until its devices are idle."""
        spec = self.value
        if spec.write is None:
            raise PermissionError(f"{spec.source} cannot be set: {spec.read_only_reason}")
        checked = spec.check(value) if spec.check is not None else self.metadata.convert(value)
        heard = self._heard
        await self.link.call(spec.write, self.link.core, checked)
        self._setpoint = checked
        if wait and spec.busy:
            await self.link.wait_idle(spec.busy)
        if self._callback is not None and (spec.topic is None or self._heard == heard):
            self._deliver(await self.get_value())

    async def get_datakey(self, source: str) -> DataKey:
        """Describe the value: dtype, shape, units, limits, choices."""
        return self.metadata.datakey(source, await self.get_value())

    async def get_reading(self) -> Reading[T]:
        """Return the value now, stamped now."""
        return {"value": await self.get_value(), "timestamp": time.time(), "alarm_severity": 0}

    async def get_value(self) -> T:
        """Read the value from the core (on the worker thread)."""
        return self.value.convert(await self.link.call(self.value.read, self.link.core))

    async def get_setpoint(self) -> T:
        """Return the last value written, or the current value if none was."""
        return self._setpoint if self._setpoint is not None else await self.get_value()

    def set_callback(self, callback: ReadingCallback[T] | None) -> None:
        """Deliver the current value, then every value the core announces; ``None`` stops."""
        if self._forget is not None:
            self._forget()
            self._forget = None
        self._callback = callback
        if callback is None:
            return
        self._heard = 0
        loop = asyncio.get_running_loop()
        if self.value.topic is not None:
            self._forget = self.link.listen(self.value.topic, self._on_event)
        core, read = self.link.core, self.value.read
        self.link.worker.submit(lambda: read(core), self._on_first, loop)

    def _on_event(self, raw: Any) -> None:
        self._heard += 1
        self._deliver(self.value.convert(raw))

    def _on_first(self, raw: Any) -> None:
        if self._heard == 0:
            self._deliver(self.value.convert(raw))

    def _deliver(self, value: T) -> None:
        if self._callback is not None:
            self._callback({"value": value, "timestamp": time.time(), "alarm_severity": 0})

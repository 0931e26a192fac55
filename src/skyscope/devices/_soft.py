"""``SoftSignalBackend``: a signal value kept in memory, with the metadata a control system gives.

Soft signals hold configuration, simulated readbacks and values computed in software. Writes are
checked (type, enum choices, control limits) and refused with a clear error; ``describe()``
reports units, precision, limits and choices like a Channel Access signal would.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from ..documents import DataKey, Limits, LimitsRange, Reading
from ._backend import ReadingCallback, SignalBackend
from ._datatypes import make_converter
from ._errors import LimitsError

T = TypeVar("T")

LimitsLike = tuple[float | None, float | None] | Limits
"""Limits as ``(low, high)`` (control limits; ``None`` = unbounded) or a full ``Limits`` dict."""


class SignalMetadata(Generic[T]):
    """What a signal says about its value besides the value: type, units, precision, limits."""

    def __init__(
        self,
        datatype: type[T] | None,
        *,
        units: str | None = None,
        precision: int | None = None,
        limits: LimitsLike | None = None,
        choices: Sequence[str] | None = None,
    ) -> None:
        """Check the datatype is supported and keep the metadata."""
        self.datatype = datatype
        self.converter = make_converter(datatype, choices)
        self.units = units
        self.precision = precision
        self.limits = as_limits(limits)

    def convert(self, value: Any) -> T:
        """Return ``value`` checked and converted to the datatype (limits not checked)."""
        return self.converter.convert(value)  # type: ignore[no-any-return]

    def check_limits(self, value: T) -> None:
        """Refuse a value outside the control limits, naming the value and the limits."""
        control = self.limits.get("control") if self.limits else None
        if control is None or not isinstance(value, int | float):
            return
        low, high = control["low"], control["high"]
        if (low is not None and value < low) or (high is not None and value > high):
            raise LimitsError(f"{value!r} is outside the control limits [{low}, {high}]")

    def datakey(self, source: str, value: T) -> DataKey:
        """Describe ``value`` with this metadata, as event-model's ``DataKey``."""
        converter = self.converter
        key: DataKey = {
            "source": source,
            "dtype": converter.dtype,
            "shape": converter.shape(value),
            "dtype_numpy": converter.numpy_dtype(value),
        }
        if self.units is not None:
            key["units"] = self.units
        if self.precision is not None:
            key["precision"] = self.precision
        if self.limits:
            key["limits"] = self.limits
        if (choices := converter.choices()) is not None:
            key["choices"] = choices
        return key

    def default(self) -> T:
        """Return the value a signal starts with when no initial value is given."""
        return self.converter.default()  # type: ignore[no-any-return]


def as_limits(limits: LimitsLike | None) -> Limits | None:
    """Turn ``(low, high)`` into control limits; pass a ``Limits`` dict through."""
    if limits is None or isinstance(limits, dict):
        return limits
    low, high = limits
    if low is not None and high is not None and low > high:
        raise ValueError(f"limits ({low}, {high}): low is above high")
    control: LimitsRange = {"low": low, "high": high}
    return {"control": control}


class SoftSignalBackend(SignalBackend[T]):
    """Keeps a signal's value in memory; every write is checked against its metadata."""

    def __init__(self, metadata: SignalMetadata[T], initial_value: T | None = None) -> None:
        """Start with ``initial_value`` (or the datatype's default: 0, "", False, first choice)."""
        self.metadata = metadata
        self.datatype = metadata.datatype
        self._convert = metadata.converter.convert  # bound once: a soft write is a hot path
        value = metadata.default() if initial_value is None else metadata.convert(initial_value)
        self._reading: Reading[T] = {"value": value, "timestamp": time.time(), "alarm_severity": 0}
        self.value: T = value
        """The current value, read synchronously (soft values need no I/O)."""
        self._setpoint = value
        self._callback: ReadingCallback[T] | None = None

    def write(self, value: Any) -> None:
        """Check and store a new setpoint (and value) at once, telling the subscriber."""
        converted = self._convert(value)
        self.metadata.check_limits(converted)
        self._setpoint = converted
        self._store(converted)

    def update(self, value: Any) -> None:
        """Store a new value that did not come from a put (a readback); types checked only."""
        self._store(self._convert(value))

    def _store(self, value: T) -> None:
        self.value = value
        self._reading = {"value": value, "timestamp": time.time(), "alarm_severity": 0}
        if self._callback is not None:
            self._callback(self._reading)

    # --- SignalBackend -------------------------------------------------------------------------

    def source(self, name: str) -> str:
        """Return ``soft://<name>``."""
        return f"soft://{name}"

    async def connect(self, timeout: float) -> None:
        """Nothing to reach: a soft value is always connected."""

    async def put(self, value: T | None, wait: bool) -> None:
        """Write ``value`` (checked against type and limits) and tell the subscriber."""
        self.write(value)

    async def get_datakey(self, source: str) -> DataKey:
        """Describe the current value with the signal's metadata."""
        return self.metadata.datakey(source, self._reading["value"])

    async def get_reading(self) -> Reading[T]:
        """Return a copy of the current reading."""
        return self.reading_now()

    def reading_now(self) -> Reading[T]:
        """Return a copy of the current reading, synchronously (a soft value needs no I/O)."""
        return self._reading.copy()

    async def get_value(self) -> T:
        """Return the current value."""
        return self._reading["value"]

    async def get_setpoint(self) -> T:
        """Return the last value written (or the initial value)."""
        return self._setpoint

    def set_callback(self, callback: ReadingCallback[T] | None) -> None:
        """Call ``callback`` with the current reading now and with every new one."""
        self._callback = callback
        if callback is not None:
            callback(self._reading.copy())

"""What a Micro-Manager device property is: its type, limits, allowed values, read-only or not.

Read once from the core (on the worker thread) when a device is built; writes are then checked
here before they reach the core, so a value of the wrong type, outside the limits, not among
the allowed values, or aimed at a read-only property is refused with a message naming it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .._errors import LimitsError

_PYTHON_TYPES: dict[str, type] = {
    "Integer": int,
    "Float": float,
    "Boolean": bool,
    "String": str,
}
"""pymmcore-plus ``PropertyType`` names and the Python type of their values (others: str)."""


@dataclass(frozen=True)
class PropertyInfo:
    """One property of one device, as the core describes it."""

    device: str
    name: str
    datatype: type
    read_only: bool = False
    limits: tuple[float, float] | None = None
    allowed: tuple[Any, ...] = ()

    @property
    def where(self) -> str:
        """``'device' property 'name'``, for messages."""
        return f"{self.device!r} property {self.name!r}"

    def convert(self, raw: Any) -> Any:
        """Turn a value from the core (a string from C++ adapters) into the property's type."""
        return to_python(self.datatype, raw)

    def check(self, value: Any) -> Any:
        """Return ``value`` as the property's type, or raise naming why it cannot be written."""
        if self.read_only:
            raise PermissionError(f"{self.where} is read-only: it cannot be set")
        converted = self._typed(value)
        if self.allowed and converted not in self.allowed:
            raise ValueError(
                f"{value!r} is not an allowed value of {self.where}: {list(self.allowed)}"
            )
        if self.limits is not None and isinstance(converted, int | float):
            low, high = self.limits
            if not low <= converted <= high:
                raise LimitsError(
                    f"{value!r} is outside the limits [{low}, {high}] of {self.where}"
                )
        return converted

    def _typed(self, value: Any) -> Any:
        wrong = isinstance(value, bool) and self.datatype is not bool
        try:
            if wrong:
                raise TypeError
            return to_python(self.datatype, value)
        except (TypeError, ValueError):
            raise TypeError(
                f"{self.where} takes {self.datatype.__name__} values, got {value!r}"
            ) from None


def to_python(datatype: type, raw: Any) -> Any:
    """Convert ``raw`` (a native value or its string) to ``datatype``; raise if it is not one."""
    if datatype is bool:
        if isinstance(raw, str):
            return raw.strip().lower() in ("1", "true", "on", "yes")
        return bool(raw)
    if datatype is int:
        number = float(raw)
        if not number.is_integer():
            raise ValueError(f"{raw!r} is not a whole number")
        return int(number)
    if datatype is float:
        return float(raw)
    return str(raw)


def python_type(property_type: Any) -> type:
    """Return the Python type of a pymmcore-plus ``PropertyType`` (strings when undefined)."""
    return _PYTHON_TYPES.get(getattr(property_type, "name", ""), str)


def read_property_info(core: Any, device: str, name: str) -> PropertyInfo:
    """Ask ``core`` (on the worker thread) how ``device``'s property ``name`` is defined."""
    datatype = python_type(core.getPropertyType(device, name))
    limits = None
    if core.hasPropertyLimits(device, name):
        limits = (
            float(core.getPropertyLowerLimit(device, name)),
            float(core.getPropertyUpperLimit(device, name)),
        )
    datatype, allowed = _allowed(datatype, core.getAllowedPropertyValues(device, name))
    return PropertyInfo(
        device=device,
        name=name,
        datatype=datatype,
        read_only=bool(core.isPropertyReadOnly(device, name)),
        limits=limits,
        allowed=allowed,
    )


def read_device_properties(core: Any, device: str) -> tuple[PropertyInfo, ...]:
    """Describe every property of ``device`` (on the worker thread)."""
    names = [str(getattr(n, "value", n)) for n in core.getDevicePropertyNames(device)]
    return tuple(read_property_info(core, device, name) for name in names)


def _allowed(datatype: type, values: Sequence[Any]) -> tuple[type, tuple[Any, ...]]:
    """Return the type and allowed values; values not of the type make it a string property."""
    try:
        return datatype, tuple(to_python(datatype, value) for value in values)
    except (TypeError, ValueError):
        return str, tuple(str(value) for value in values)

"""What a device says about one of its values (``DataKey``) and one reading of it (``Reading``).

Field names and meaning are event-model's, so a device's ``describe()`` and ``read()`` output
goes into descriptors and events unchanged, and bluesky's protocol checks accept it.
"""

from __future__ import annotations

from typing import Any, Generic, Literal, NotRequired, TypeVar

# pydantic (on Python < 3.12) validates only typing_extensions' TypedDict.
from typing_extensions import TypedDict

T = TypeVar("T")

Dtype = Literal["string", "number", "array", "boolean", "integer"]
"""The JSON type of a value, as event-model names it."""


class LimitsRange(TypedDict):
    """A low/high pair; ``None`` on a side means unbounded."""

    low: float | None
    high: float | None


class Limits(TypedDict, total=False):
    """Control-system limits of a value (EPICS: control, display, warning, alarm)."""

    control: LimitsRange | None
    display: LimitsRange | None
    warning: LimitsRange | None
    alarm: LimitsRange | None
    hysteresis: float | None


class DataKey(TypedDict):
    """The description of one named value: where it comes from, its type and shape."""

    source: str
    dtype: Dtype
    shape: list[int | None]
    dtype_numpy: NotRequired[str | list[tuple[str, str]]]
    external: NotRequired[str]
    dims: NotRequired[list[str]]
    units: NotRequired[str | None]
    precision: NotRequired[int | None]
    limits: NotRequired[Limits]
    choices: NotRequired[list[str]]
    object_name: NotRequired[str]


class Reading(TypedDict, Generic[T]):
    """One value with the time it was taken (and, from a control system, its alarm state)."""

    value: T
    timestamp: float
    alarm_severity: NotRequired[int]
    message: NotRequired[str]


ReadingDict = dict[str, Reading[Any]]
"""What ``read()`` returns: readings by data key name."""

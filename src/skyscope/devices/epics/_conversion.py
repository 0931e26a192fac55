"""How a signal's datatype maps onto Channel Access: what to request, and how to convert back.

A signal is declared with a Python datatype (``float``, ``int``, ``bool``, ``str``, a
``StrictEnum``, ``np.ndarray``/``npt.NDArray[dtype]``, ``Sequence[str]``, or ``None`` for the
PV's native type); aioca returns its own augmented values, which become plain Python values here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from enum import Enum
from typing import Any, Generic, TypeVar, get_args, get_origin

import numpy as np
from aioca import DBR_CHAR_STR

from ...documents import DataKey, Limits, LimitsRange
from .._datatypes import Converter, make_converter

T = TypeVar("T")

_LIMIT_FIELDS = {
    "control": ("lower_ctrl_limit", "upper_ctrl_limit"),
    "display": ("lower_disp_limit", "upper_disp_limit"),
    "warning": ("lower_warning_limit", "upper_warning_limit"),
    "alarm": ("lower_alarm_limit", "upper_alarm_limit"),
}


class CaConversion(Generic[T]):
    """Converts between one signal datatype and what aioca sends and receives."""

    def __init__(self, datatype: type[T] | None) -> None:
        """Check ``datatype`` is supported (the core's converter refuses unknown ones)."""
        self.datatype = datatype
        self.converter: Converter[Any] = make_converter(datatype)
        self.request: Any = str if _wants_strings(datatype) else None
        self.from_ca: Callable[[Any], T] = _reader_for(datatype)

    def use_long_strings(self) -> None:
        """Read and write a ``str`` signal on a CHAR waveform as one long string."""
        self.request = DBR_CHAR_STR

    def to_ca(self, value: T | None) -> Any:
        """Check ``value`` against the datatype (clear error if wrong) and spell it for aioca."""
        if value is None:
            return 1  # an executable signal: process the record
        checked = self.converter.convert(value) if self.datatype is not None else value
        if isinstance(checked, Enum):
            return checked.value
        if isinstance(checked, bool):
            return int(checked)
        return checked

    def datakey(self, source: str, value: T, metadata: Any) -> DataKey:
        """Describe ``value`` with the units, precision, limits and choices aioca reported."""
        converter = self.converter if self.datatype is not None else _native_converter(value)
        key: DataKey = {
            "source": source,
            "dtype": converter.dtype,
            "shape": converter.shape(value),
            "dtype_numpy": converter.numpy_dtype(value),
        }
        units = getattr(metadata, "units", None)
        if units is not None:
            key["units"] = str(units)
        precision = getattr(metadata, "precision", None)
        if precision is not None:
            key["precision"] = int(precision)
        if limits := _limits(metadata):
            key["limits"] = limits
        choices = converter.choices() or _enum_strings(metadata)
        if choices is not None:
            key["choices"] = choices
        return key


def _wants_strings(datatype: object) -> bool:
    if datatype is str or (isinstance(datatype, type) and issubclass(datatype, Enum)):
        return True
    return get_origin(datatype) is not None and get_args(datatype)[:1] == (str,)


def _reader_for(datatype: Any) -> Callable[[Any], Any]:
    if datatype in (float, int, bool, str):
        return datatype  # type: ignore[no-any-return]
    if isinstance(datatype, type) and issubclass(datatype, Enum):
        return lambda raw: datatype(str(raw))
    if datatype is np.ndarray or get_origin(datatype) is np.ndarray:
        return _array_reader(make_converter(datatype))
    if datatype is None:
        return _native
    return lambda raw: [str(item) for item in raw]


def _array_reader(converter: Converter[Any]) -> Callable[[Any], np.ndarray[Any, Any]]:
    wanted: np.dtype[Any] | None = getattr(converter, "element", None)

    def read(raw: Any) -> np.ndarray[Any, Any]:
        array = np.asarray(raw)  # a view of aioca's array: no copy
        return array if wanted is None else as_dtype(array, wanted)

    return read


def as_dtype(array: np.ndarray[Any, Any], wanted: np.dtype[Any]) -> np.ndarray[Any, Any]:
    """Return ``array`` as ``wanted``: a same-size integer type is a view, anything else a copy.

    CA has no unsigned types, so e.g. areaDetector sends UInt16 pixels as signed SHORT.
    """
    if array.dtype == wanted:
        return array
    same_size_ints = array.dtype.kind in "iu" and wanted.kind in "iu"
    if same_size_ints and array.dtype.itemsize == wanted.itemsize:
        return array.view(wanted)
    return array.astype(wanted)


def _native(raw: Any) -> Any:
    if isinstance(raw, np.ndarray):
        return np.asarray(raw)
    for kind in (float, int, str):
        if isinstance(raw, kind):
            return kind(raw)
    return raw


def _native_converter(value: object) -> Converter[Any]:
    if isinstance(value, np.ndarray):
        return make_converter(np.ndarray)
    return make_converter(type(value) if type(value) in (float, int, str, bool) else None)


def _limits(metadata: Any) -> Limits:
    limits: Limits = {}
    for kind, (low_field, high_field) in _LIMIT_FIELDS.items():
        low, high = getattr(metadata, low_field, None), getattr(metadata, high_field, None)
        if low is None or high is None or low == high:
            continue  # EPICS reports unset limits as equal (usually 0, 0)
        limits[kind] = LimitsRange(low=_finite(low), high=_finite(high))  # type: ignore[literal-required]
    return limits


def _finite(limit: float) -> float | None:
    return None if math.isnan(limit) or math.isinf(limit) else float(limit)


def _enum_strings(metadata: Any) -> list[str] | None:
    enums = getattr(metadata, "enums", None)
    return [str(text) for text in enums] if enums is not None else None

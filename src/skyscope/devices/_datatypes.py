"""The value types a signal can carry, and how each is checked, converted and described.

Supported: ``bool``, ``int``, ``float``, ``str``, a :class:`StrictEnum` (a ``str`` enum whose
members are the choices), numpy arrays (``np.ndarray`` or ``npt.NDArray[np.uint16]`` for a fixed
dtype) and sequences of ``str``. A value of the wrong type is refused with an error that names the
expected type and what was given, instead of being stored and breaking a reader later.
"""

from __future__ import annotations

import collections.abc
from enum import Enum, StrEnum
from typing import Any, Generic, TypeVar, get_args, get_origin

import numpy as np

from ..documents import Dtype

T = TypeVar("T")

_STRING_DTYPE = "|S40"


class StrictEnum(StrEnum):
    """A ``str`` enum whose values are a signal's allowed choices (``choices`` in describe())."""


class Converter(Generic[T]):
    """Checks and converts values for one datatype, and says how to describe them."""

    dtype: Dtype = "string"
    dtype_numpy: str = _STRING_DTYPE

    def __init__(self, datatype: Any) -> None:
        """Remember the datatype, so error messages can name it."""
        self.datatype = datatype

    def convert(self, value: Any) -> T:
        """Return ``value`` as this datatype, or raise an error naming what was expected."""
        return value  # type: ignore[no-any-return]

    def default(self) -> T:
        """Return the value a signal of this type starts with when none is given."""
        return None  # type: ignore[return-value]

    def shape(self, value: T) -> list[int | None]:
        """Return the shape of a value as event-model gives it (``[]`` for a scalar)."""
        return []

    def numpy_dtype(self, value: T) -> str:
        """Return the numpy dtype string of a value, for ``dtype_numpy``."""
        return self.dtype_numpy

    def choices(self) -> list[str] | None:
        """Return the allowed values when the datatype is an enum, else ``None``."""
        return None

    def refuse(self, value: Any, expected: str | None = None) -> TypeError:
        """Build the error for a value of the wrong type."""
        wanted = expected or getattr(self.datatype, "__name__", str(self.datatype))
        return TypeError(f"expected {wanted}, got {value!r} ({type(value).__name__})")


class _Float(Converter[float]):
    dtype: Dtype = "number"
    dtype_numpy = "<f8"

    def convert(self, value: Any) -> float:
        if type(value) is float:  # the usual case, without the isinstance checks
            return value
        if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
            raise self.refuse(value, "float")
        return float(value)

    def default(self) -> float:
        return 0.0


class _Int(Converter[int]):
    dtype: Dtype = "integer"
    dtype_numpy = "<i8"

    def convert(self, value: Any) -> int:
        if type(value) is int:  # the usual case, without the isinstance checks
            return value
        if isinstance(value, bool | np.bool_):
            raise self.refuse(value, "int")
        if isinstance(value, int | np.integer):
            return int(value)
        if isinstance(value, float | np.floating) and float(value).is_integer():
            return int(value)
        raise self.refuse(value, "int")

    def default(self) -> int:
        return 0


class _Bool(Converter[bool]):
    dtype: Dtype = "boolean"
    dtype_numpy = "|b1"

    def convert(self, value: Any) -> bool:
        if isinstance(value, bool | np.bool_):
            return bool(value)
        if isinstance(value, int | np.integer) and value in (0, 1):
            return bool(value)
        raise self.refuse(value, "bool")

    def default(self) -> bool:
        return False


class _Str(Converter[str]):
    def convert(self, value: Any) -> str:
        if not isinstance(value, str):
            raise self.refuse(value, "str")
        return value

    def default(self) -> str:
        return ""


class _Enum(Converter[Enum]):
    def convert(self, value: Any) -> Enum:
        try:
            return self.datatype(value)  # type: ignore[no-any-return]
        except ValueError:
            raise ValueError(
                f"{value!r} is not one of the choices of {self.datatype.__name__}: {self.choices()}"
            ) from None

    def default(self) -> Enum:
        return next(iter(self.datatype))  # type: ignore[no-any-return]

    def choices(self) -> list[str]:
        return [str(member.value) for member in self.datatype]


class _Array(Converter[np.ndarray[Any, Any]]):
    dtype: Dtype = "array"

    def __init__(self, datatype: Any, element: np.dtype[Any] | None) -> None:
        super().__init__(datatype)
        self.element = element

    def convert(self, value: Any) -> np.ndarray[Any, Any]:
        array = np.asarray(value)
        wanted = self.element
        if wanted is None or array.dtype == wanted:
            return array
        if array.dtype.kind in "iu" and wanted.kind in "iu":
            return _cast_integers(array, wanted)
        if not np.can_cast(array.dtype, wanted, casting="same_kind"):
            raise TypeError(f"expected an array of {wanted}, got one of {array.dtype}")
        return array.astype(wanted)

    def default(self) -> np.ndarray[Any, Any]:
        return np.zeros(0, dtype=self.element if self.element is not None else np.float64)

    def shape(self, value: np.ndarray[Any, Any]) -> list[int | None]:
        return list(value.shape)

    def numpy_dtype(self, value: np.ndarray[Any, Any]) -> str:
        return str(value.dtype.str)


def _cast_integers(array: np.ndarray[Any, Any], wanted: np.dtype[Any]) -> np.ndarray[Any, Any]:
    """Cast integers to another integer dtype, refusing values that would wrap around."""
    info = np.iinfo(wanted)
    if array.size and (array.min() < info.min or array.max() > info.max):
        raise ValueError(f"values outside the range of {wanted} [{info.min}, {info.max}]")
    return array.astype(wanted)


class _StrSequence(Converter[list[str]]):
    dtype: Dtype = "array"

    def convert(self, value: Any) -> list[str]:
        if isinstance(value, str) or not isinstance(value, collections.abc.Sequence):
            raise self.refuse(value, "a sequence of str")
        if not all(isinstance(item, str) for item in value):
            raise self.refuse(value, "a sequence of str")
        return list(value)

    def default(self) -> list[str]:
        return []

    def shape(self, value: list[str]) -> list[int | None]:
        return [len(value)]


class _Choice(_Str):
    def __init__(self, datatype: Any, allowed: list[str]) -> None:
        super().__init__(datatype)
        self.allowed = allowed

    def convert(self, value: Any) -> str:
        text = super().convert(value)
        if text not in self.allowed:
            raise ValueError(f"{text!r} is not one of the choices {self.allowed}")
        return text

    def default(self) -> str:
        return self.allowed[0]

    def choices(self) -> list[str]:
        return list(self.allowed)


_SCALARS: dict[Any, type[Converter[Any]]] = {float: _Float, int: _Int, bool: _Bool, str: _Str}
_SEQUENCES = (collections.abc.Sequence, list, tuple)


def make_converter(
    datatype: Any, choices: collections.abc.Sequence[str] | None = None
) -> Converter[Any]:
    """Return the converter for ``datatype`` (``None`` accepts anything); refuse unknown types."""
    if choices is not None:
        if datatype is not str:
            raise TypeError(f"choices are for str signals, not {datatype!r}")
        return _Choice(datatype, list(choices))
    if datatype is None:
        return Converter[Any](None)
    if datatype in _SCALARS:
        return _SCALARS[datatype](datatype)
    if isinstance(datatype, type) and issubclass(datatype, Enum):
        return _Enum(datatype)
    if datatype is np.ndarray or get_origin(datatype) is np.ndarray:
        return _Array(datatype, _array_element(datatype))
    if get_origin(datatype) in _SEQUENCES and get_args(datatype)[:1] == (str,):
        return _StrSequence(datatype)
    raise TypeError(
        f"unsupported signal datatype {datatype!r}: use bool, int, float, str, a StrictEnum, "
        "numpy.ndarray (or npt.NDArray[dtype]) or Sequence[str]"
    )


def _array_element(datatype: Any) -> np.dtype[Any] | None:
    args = get_args(datatype)
    if len(args) < 2:
        return None
    element = get_args(args[1])
    if not element or element[0] is Any or element[0] is np.generic:
        return None
    found: np.dtype[Any] = np.dtype(element[0])
    return found

"""Does a value fit its data key? One small check per dtype/shape, chosen once per descriptor.

Each check returns ``None`` when the value fits, else a phrase saying what was expected and
what came. The hot path skips the call entirely for the common exact types (``FAST_TYPES``).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ._data_key import DataKey
from ._errors import short_repr

ValueCheck = Callable[[Any], str | None]
Shape = tuple[int | None, ...]

_INTS = (np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64)
_FLOATS = (np.float16, np.float32, np.float64)
FAST_TYPES: dict[str, frozenset[type]] = {
    "number": frozenset({float, int, *_FLOATS, *_INTS}),
    "integer": frozenset({int, *_INTS}),
    "boolean": frozenset({bool, np.bool_}),
    "string": frozenset({str, np.str_}),
    "array": frozenset(),
}
"""Per dtype: the exact types that fit without further checks (scalar data keys only)."""

_KINDS = {"number": "iuf", "integer": "iu", "boolean": "b", "string": "USO", "array": ""}


def got(value: object) -> str:
    """'got <type> <repr>' for a message."""
    return f"got {type(value).__name__} {short_repr(value)}"


def is_bool(value: object) -> bool:
    """Tell whether ``value`` is a Python or numpy bool."""
    return isinstance(value, bool | np.bool_)


def is_real(value: object) -> bool:
    """Tell whether ``value`` is a real number but not a bool (numpy scalars included)."""
    return isinstance(value, numbers.Real) and not is_bool(value)


def is_integer(value: object) -> bool:
    """Tell whether ``value`` is an integer but not a bool (numpy scalars included)."""
    return isinstance(value, numbers.Integral) and not is_bool(value)


def _scalar_kind(value: object, kinds: str) -> bool:
    return isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in kinds


def _number(value: object) -> str | None:
    if is_real(value) or _scalar_kind(value, "iuf"):
        return None
    return f"expected a number (dtype 'number'), {got(value)}"


def _integer(value: object) -> str | None:
    if is_integer(value) or _scalar_kind(value, "iu"):
        return None
    return f"expected an integer (dtype 'integer'), {got(value)}"


def _boolean(value: object) -> str | None:
    if is_bool(value) or _scalar_kind(value, "b"):
        return None
    return f"expected a boolean (dtype 'boolean'), {got(value)}"


def _string(value: object) -> str | None:
    if isinstance(value, str):
        return None
    return f"expected a string (dtype 'string'), {got(value)}"


def _any_array(value: object) -> str | None:
    if shape_of(value) is not None:
        return None
    return f"expected an array (dtype 'array'), {got(value)}"


_SCALARS: dict[str, tuple[frozenset[type], ValueCheck]] = {
    "number": (FAST_TYPES["number"], _number),
    "integer": (FAST_TYPES["integer"], _integer),
    "boolean": (FAST_TYPES["boolean"], _boolean),
    "string": (FAST_TYPES["string"], _string),
    "array": (FAST_TYPES["array"], _any_array),
}


def shape_of(value: object) -> tuple[int, ...] | None:
    """Return the shape of an array-like value (numpy array, list, tuple), else None."""
    if isinstance(value, np.ndarray):
        shape: tuple[int, ...] = value.shape
        return shape
    if isinstance(value, list | tuple):
        try:
            return tuple(np.shape(value))
        except ValueError:  # ragged nesting: only the outer length is defined
            return (len(value),)
    other = getattr(value, "shape", None)
    if hasattr(value, "__array__") and isinstance(other, tuple):
        return other
    return None


def shape_fits(actual: Sequence[int], expected: Shape) -> bool:
    """Tell whether ``actual`` has ``expected``'s dimensions and every known length."""
    if len(actual) != len(expected):
        return False
    return all(e is None or e == a for a, e in zip(actual, expected, strict=True))


def _shaped(dtype: str, expected: Shape) -> ValueCheck:
    kinds = _KINDS.get(dtype, "")
    fixed = None not in expected

    def check(value: object) -> str | None:
        if type(value) is np.ndarray:  # the common case, decided with a tuple comparison
            fits = value.shape == expected if fixed else shape_fits(value.shape, expected)
            if fits and (not kinds or value.dtype.kind in kinds):
                return None
        return _shaped_problem(value, dtype, expected, kinds)

    return check


def _shaped_problem(value: object, dtype: str, expected: Shape, kinds: str) -> str | None:
    actual = shape_of(value)
    if actual is None:
        return f"expected an array of shape {list(expected)} (dtype {dtype!r}), {got(value)}"
    if not shape_fits(actual, expected):
        return f"expected shape {list(expected)}, got shape {list(actual)}"
    kind = _element_kind(value) if kinds else ""
    if kind and kind not in kinds:
        return f"expected {dtype} elements, got elements of numpy kind {kind!r}"
    return None


def _element_kind(value: object) -> str:
    """Return the numpy kind letter of an array-like's elements ('' if it has none)."""
    try:
        array = value if isinstance(value, np.ndarray) else np.asarray(value)
    except ValueError:  # ragged: elements are rows of differing lengths
        return ""
    kind: str = array.dtype.kind
    return kind


def value_check(data_key: DataKey) -> tuple[frozenset[type], ValueCheck]:
    """Return the exact types accepted outright and the full check for ``data_key``'s values.

    An externally stored key (``external`` other than STREAM:) may hold its datum id instead.
    """
    dtype = data_key["dtype"]
    expected: Shape = tuple(data_key["shape"])
    fast, check = (frozenset(), _shaped(dtype, expected)) if expected else _SCALARS[dtype]
    if "external" in data_key:
        return fast | {str}, _or_datum_id(check)
    return fast, check


def _or_datum_id(check: ValueCheck) -> ValueCheck:
    def check_external(value: object) -> str | None:
        if isinstance(value, str):
            return None
        problem = check(value)
        return None if problem is None else f"{problem} (or a datum id string)"

    return check_external


def column_problem(
    column: object, data_key: DataKey, fast_types: frozenset[type], check: ValueCheck
) -> str | None:
    """Check an event page's column for ``data_key``: each row, or a stacked numpy array whole."""
    expected = tuple(data_key["shape"])
    if isinstance(column, np.ndarray) and column.ndim == len(expected) + 1:
        if not shape_fits(column.shape[1:], expected):
            rows = list(column.shape[1:])
            return f"expected rows of shape {list(expected)}, got rows of shape {rows}"
        kinds = _KINDS[data_key["dtype"]]
        if kinds and column.dtype.kind not in kinds:
            return f"expected {data_key['dtype']} rows, got a numpy array of dtype {column.dtype}"
        return None
    if not isinstance(column, Sequence | np.ndarray) or isinstance(column, str):
        return f"expected a column (list or array), {got(column)}"
    for row, value in enumerate(column):
        if type(value) in fast_types:
            continue
        problem = check(value)
        if problem:
            return f"row {row}: {problem}"
    return None

"""Which values a document can carry to every store: JSON's types, plus numpy arrays and scalars.

The engine checks metadata with this before a run starts and the catalog checks documents with
it at its door, so the two always agree on what can be stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

_LEAVES = (str, bool, int, float, type(None))
_EXACT_LEAVES = frozenset(_LEAVES)
_HINTS: dict[str, str] = {
    "datetime": "pass value.isoformat() or value.timestamp()",
    "date": "pass value.isoformat()",
    "time": "pass value.isoformat()",
    "set": "pass sorted(value) or list(value)",
    "frozenset": "pass sorted(value) or list(value)",
    "bytes": "pass value.decode() or a base64 string",
    "bytearray": "pass bytes(value).decode() or a base64 string",
    "PosixPath": "pass str(value)",
    "WindowsPath": "pass str(value)",
    "Decimal": "pass float(value) or str(value)",
    "UUID": "pass str(value)",
}


def find_unstorable(value: object, path: str = "") -> tuple[str, str] | None:
    """The first ``(dotted path, what is wrong)`` a document cannot store, or None if all fits.

    Allowed: str, bool, int, finite or non-finite float, None, lists and tuples of those, dicts
    with non-empty string keys, numpy scalars and numeric/boolean/string arrays.
    """
    kind = type(value)
    if kind in _EXACT_LEAVES:  # the common case first: no isinstance walks through ABCs
        return None
    if kind is dict:
        return _find_in_mapping(value, path)  # type: ignore[arg-type]
    if isinstance(value, _LEAVES):
        return None
    if isinstance(value, Mapping):
        return _find_in_mapping(value, path)
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = find_unstorable(item, f"{path}[{index}]")
            if found is not None:
                return found
        return None
    if isinstance(value, np.ndarray | np.generic):
        return None if np.asarray(value).dtype.kind in "biufUS" else (path, _numpy_kind(value))
    type_name = kind.__name__
    hint = _HINTS.get(type_name, "pass a string, number, bool, list or dict instead")
    return path, f"holds a {type_name}, which documents cannot carry; {hint}"


def describe_unstorable(value: object, what: str = "metadata") -> str | None:
    """A one-line message naming the first unstorable value of ``value``, or None."""
    found = find_unstorable(value)
    if found is None:
        return None
    path, problem = found
    return f"{what} key {path!r} {problem}" if path else f"{what} {problem}"


def _find_in_mapping(mapping: Mapping[Any, Any], path: str) -> tuple[str, str] | None:
    for key, item in mapping.items():
        if not key or not isinstance(key, str):
            return path or "(top)", f"has the key {key!r}; keys must be non-empty strings"
        if type(item) in _EXACT_LEAVES:
            continue
        found = find_unstorable(item, f"{path}.{key}" if path else key)
        if found is not None:
            return found
    return None


def _numpy_kind(value: np.ndarray[Any, Any] | np.generic) -> str:
    dtype = np.asarray(value).dtype
    return f"holds a numpy array of dtype {dtype}, which documents cannot carry; use numbers"

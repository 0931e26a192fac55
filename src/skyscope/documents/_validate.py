"""Check any document against its kind's schema, as event-model's JSON schemas do.

pydantic checks the TypedDicts; small functions add the rules the JSON schemas state as
patterns (key names, ``external``, ``dtype_numpy``).

The adapters are built once, at import; validation is strict (no ``"1"`` for ``1``), as the
JSON schemas are, while accepting the array containers event-model accepts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from ._asset_types import Datum, DatumPage, Resource, StreamDatum, StreamResource
from ._descriptor_types import EventDescriptor
from ._errors import DocumentValidationError, short_repr
from ._event_types import Event, EventPage
from ._names import DOCUMENT_NAMES
from ._run_types import RunStart, RunStop

_TYPES: dict[str, Any] = {
    "start": RunStart,
    "descriptor": EventDescriptor,
    "event": Event,
    "event_page": EventPage,
    "resource": Resource,
    "datum": Datum,
    "datum_page": DatumPage,
    "stream_resource": StreamResource,
    "stream_datum": StreamDatum,
    "stop": RunStop,
}
_ADAPTERS: dict[str, TypeAdapter[Any]] = {name: TypeAdapter(tp) for name, tp in _TYPES.items()}

_LEAF_TYPES = frozenset({str, int, float, bool, list, tuple, type(None)})
_EXTERNAL = re.compile(r"^[A-Z]+:?")
_DTYPE_NUMPY = re.compile(r"[|<>][tbiufcmMOSUV][0-9]+")
_MAX_PROBLEMS = 8


def validate(name: str, doc: Mapping[str, Any]) -> dict[str, Any]:
    """Check ``doc`` as a document of kind ``name`` and return it as a plain dict.

    The same object is returned when it already is a dict. Raises ``DocumentValidationError``
    naming each problem: the field's path, what was expected and what came.
    """
    adapter = _ADAPTERS.get(name)
    if adapter is None:
        raise DocumentValidationError(
            repr(name), f"unknown document kind; expected one of {', '.join(DOCUMENT_NAMES)}"
        )
    if not isinstance(doc, Mapping):
        raise DocumentValidationError(name, f"expected a mapping, got {type(doc).__name__}")
    plain = doc if type(doc) is dict else dict(doc)
    try:
        adapter.validate_python(plain, strict=True)
    except ValidationError as error:
        raise DocumentValidationError(name, _describe(error)) from None
    problems = _EXTRA_RULES.get(name, _no_rules)(plain)
    if problems:
        raise DocumentValidationError(name, problems[:_MAX_PROBLEMS])
    return plain


def _describe(error: ValidationError) -> list[str]:
    """One readable line per pydantic error: the field path, what was expected, what came."""
    lines = [_describe_one(detail) for detail in error.errors(include_url=False)]
    unique = list(dict.fromkeys(lines))
    return unique[:_MAX_PROBLEMS]


def _describe_one(detail: ErrorDetails) -> str:
    where = ".".join(str(part) for part in detail["loc"]) or "(document)"
    kind = detail["type"]
    if kind == "missing":
        return f"{where}: required field is missing"
    if kind == "extra_forbidden":
        return f"{where}: unexpected field (event-model allows no other fields here)"
    return f"{where}: {detail['msg']} (got {short_repr(detail['input'])})"


def _no_rules(doc: dict[str, Any]) -> list[str]:
    return []


def _bad_keys(mapping: Mapping[Any, Any], path: str, recursive: bool) -> list[str]:
    """Keys event-model's schemas refuse: empty, or containing '.' or '/' (nested dicts too)."""
    problems = []
    for key, value in mapping.items():
        if type(key) is not str or not key or "." in key or "/" in key:
            where = f"{path}.{key}" if path else str(key)
            problems.append(f"{where}: key {key!r} must be a non-empty string without '.' or '/'")
        if recursive and type(value) not in _LEAF_TYPES and isinstance(value, Mapping):
            problems.extend(_bad_keys(value, f"{path}.{key}" if path else str(key), recursive))
    return problems


def _start_rules(doc: dict[str, Any]) -> list[str]:
    return _bad_keys(doc, "", recursive=True)


def _stop_rules(doc: dict[str, Any]) -> list[str]:
    return _bad_keys(doc, "", recursive=False)


def _descriptor_rules(doc: dict[str, Any]) -> list[str]:
    problems = _bad_keys(doc, "", recursive=True)
    problems += data_key_problems(doc["data_keys"], "data_keys")
    for device, config in doc.get("configuration", {}).items():
        keys = config.get("data_keys", {})
        problems += data_key_problems(keys, f"configuration.{device}.data_keys")
    return problems


def data_key_problems(data_keys: Mapping[str, Mapping[str, Any]], path: str) -> list[str]:
    """List what event-model's DataKey patterns refuse in ``external`` and ``dtype_numpy``."""
    problems = []
    for name, key in data_keys.items():
        external = key.get("external")
        if external is not None and not _EXTERNAL.match(external):
            problems.append(
                f"{path}.{name}.external: {external!r} must start with capitals, "
                "like 'STREAM:' or 'FILESTORE:'"
            )
        problems += _dtype_numpy_problems(key.get("dtype_numpy"), f"{path}.{name}.dtype_numpy")
    return problems


def _dtype_numpy_problems(
    dtype_numpy: str | Sequence[Sequence[str]] | None, where: str
) -> list[str]:
    if dtype_numpy is None:
        return []
    strings = [dtype_numpy] if isinstance(dtype_numpy, str) else [pair[1] for pair in dtype_numpy]
    return [
        f"{where}: {text!r} is not a numpy dtype string like '<f8' or '|u1'"
        for text in strings
        if not _DTYPE_NUMPY.search(text)
    ]


_EXTRA_RULES: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "start": _start_rules,
    "descriptor": _descriptor_rules,
    "stop": _stop_rules,
}

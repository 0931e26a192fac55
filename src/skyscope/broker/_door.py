"""The catalog's door: every document is checked before it is journaled or stored.

A document the event model refuses (event-model's schemas, strictly: no ``"1"`` for ``1``), one
holding a value no store can keep (a set, bytes, a datetime), or one whose integers overflow the
catalog's 64-bit columns is refused with one :class:`DocumentError` naming the document and the
field, so nothing half-stored ever reaches the tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from skyscope.documents import DocumentValidationError, find_unstorable, validate

from ._errors import DocumentError

INT64 = (-(2**63), 2**63 - 1)
# Integer fields the catalog stores in 64-bit columns, per document kind.
_INDEXED_INTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "start": (("scan_id",),),
    "event": (("seq_num",),),
    "stream_datum": (
        ("indices", "start"),
        ("indices", "stop"),
        ("seq_nums", "start"),
        ("seq_nums", "stop"),
    ),
}


def check_document(name: object, doc: object) -> dict[str, Any]:
    """Return ``doc`` as a plain dict if the catalog can store it, else raise DocumentError."""
    if not isinstance(name, str):
        raise DocumentError(f"a document name must be a string, got {type(name).__name__}")
    try:
        plain = validate(name, doc)  # type: ignore[arg-type]
    except DocumentValidationError as error:
        raise DocumentError(f"{_label(name, doc)}: {'; '.join(error.problems)}") from None
    found = find_unstorable(plain)
    if found is not None:
        path, problem = found
        raise DocumentError(f"{_label(name, plain)}: field {path!r} {problem}")
    _check_int_ranges(name, plain)
    return plain


def _check_int_ranges(name: str, doc: Mapping[str, Any]) -> None:
    for path in _INDEXED_INTS.get(name, ()):
        value: Any = doc
        for part in path:
            value = value.get(part) if isinstance(value, Mapping) else None
        if isinstance(value, int) and not INT64[0] <= value <= INT64[1]:
            field = ".".join(path)
            raise DocumentError(
                f"{_label(name, doc)}: field {field!r} = {value} does not fit in 64 bits"
            )
    if name == "event_page":
        for seq_num in doc.get("seq_num", ()):
            if isinstance(seq_num, int) and not INT64[0] <= seq_num <= INT64[1]:
                raise DocumentError(f"{_label(name, doc)}: a seq_num does not fit in 64 bits")


def _label(name: str, doc: object) -> str:
    """``start 'abc…'``: the document's kind and uid, as far as it has one."""
    uid = doc.get("uid", doc.get("datum_id")) if isinstance(doc, Mapping) else None
    if isinstance(uid, str):
        return f"{name} document {uid!r}"
    return f"{name} document"

"""Documents to bytes and back: JSON (and its JSONL line form) and msgpack.

JSON writes numpy arrays as nested lists and numpy scalars as Python numbers. msgpack keeps
arrays exact (dtype, byte order, shape) in an extension type; arrays decoded from msgpack
are read-only views of the message's bytes (documents are records, not workspaces).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, cast

import msgpack
import numpy as np

from ._errors import DocumentValidationError
from ._names import DOCUMENT_NAMES, DocumentName

NDARRAY_EXT_CODE = 78
"""msgpack extension type code of a numpy array: payload is [dtype descr, shape, raw bytes]."""


def to_json(doc: Mapping[str, Any]) -> str:
    """Serialize a document to compact JSON (numpy arrays as lists, numpy scalars as numbers)."""
    return json.dumps(doc, default=_plain_for_json, separators=(",", ":"))


def from_json(text: str | bytes) -> dict[str, Any]:
    """Parse a document from JSON."""
    return _as_document(json.loads(text), "JSON")


def dumps_named(name: str, doc: Mapping[str, Any]) -> str:
    """Serialize one ``(name, doc)`` pair as a JSONL line ``{"name": ..., "doc": ...}``.

    The line has no trailing newline; writers add it.
    """
    return to_json({"name": name, "doc": doc})


def loads_named(line: str | bytes) -> tuple[DocumentName, dict[str, Any]]:
    """Parse a JSONL line written by ``dumps_named`` back into ``(name, doc)``."""
    pair = _as_document(json.loads(line), "JSONL line")
    name, doc = pair.get("name"), pair.get("doc")
    if name not in DOCUMENT_NAMES or not isinstance(doc, dict) or len(pair) != 2:
        raise DocumentValidationError(
            repr(name) if isinstance(name, str) else "(unnamed)",
            'a JSONL line must be {"name": <document kind>, "doc": {...}}, '
            f"got keys {sorted(pair)} with name {name!r}",
        )
    return cast(DocumentName, name), doc


def to_msgpack(doc: Mapping[str, Any]) -> bytes:
    """Serialize a document to msgpack; numpy arrays keep their dtype and shape exactly."""
    return cast(bytes, msgpack.packb(doc, default=_plain_for_msgpack, use_bin_type=True))


def from_msgpack(data: bytes) -> dict[str, Any]:
    """Parse a document from msgpack, numpy arrays included."""
    return _as_document(msgpack.unpackb(data, ext_hook=_decode_ext, raw=False), "msgpack")


def _as_document(value: object, source: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise DocumentValidationError(
            "(unknown)", f"{source} holds a {type(value).__name__}, not a document (an object)"
        )
    return value


def _plain_for_json(value: object) -> object:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"a document holds a {type(value).__name__}, which JSON cannot carry")


def _plain_for_msgpack(value: object) -> object:
    if isinstance(value, np.ndarray):
        return _encode_array(value) if not value.dtype.hasobject else value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"a document holds a {type(value).__name__}, which msgpack cannot carry")


def _encode_array(array: np.ndarray[Any, Any]) -> msgpack.ExtType:
    raw = np.ascontiguousarray(array).reshape(-1).view(np.uint8)
    descr = np.lib.format.dtype_to_descr(array.dtype)
    payload = msgpack.packb([descr, list(array.shape), raw.data], use_bin_type=True)
    return msgpack.ExtType(NDARRAY_EXT_CODE, payload)


def _decode_ext(code: int, payload: bytes) -> object:
    if code != NDARRAY_EXT_CODE:
        return msgpack.ExtType(code, payload)
    descr, shape, raw = msgpack.unpackb(payload, raw=False)
    dtype = np.lib.format.descr_to_dtype(descr)
    return np.frombuffer(raw, dtype=dtype).reshape(shape)

"""A cheap estimate of the memory a document holds, to bound subscribers' buffers in bytes.

Documents are never serialised to be measured: the estimate adds the ``nbytes`` of the numpy
arrays (and the length of the bytes) an event or event page carries in its ``data`` — one
value per key, or one column per key — to a small constant for the rest of the document.
Other documents (start, descriptor, stop, resources…) carry no bulk data and count the
constant alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np

DOCUMENT_OVERHEAD = 1024
"""Bytes counted for a document besides its arrays: its dicts, keys, numbers and strings."""

_SCALARS = (float, int, bool, str, type(None))
_BULK = (np.ndarray, bytes, bytearray)


def document_nbytes(name: str, doc: Any) -> int:
    """Estimate the bytes ``doc`` keeps alive: its arrays' ``nbytes`` plus a constant."""
    if name != "event" and name != "event_page":
        return DOCUMENT_OVERHEAD
    data = doc.get("data") if type(doc) is dict else None
    if type(data) is not dict:
        return DOCUMENT_OVERHEAD
    size = DOCUMENT_OVERHEAD
    for value in data.values():
        if type(value) not in _SCALARS:
            size += _payload_nbytes(value)
    return size


def _payload_nbytes(value: Any) -> int:
    """The bytes of an array or a bytes value, or of a column (list) of them; 0 otherwise."""
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if isinstance(value, bytes | bytearray):
        return len(value)
    if type(value) is list and value and isinstance(value[0], _BULK):
        return sum(_payload_nbytes(item) for item in value)
    return 0

"""A cheap estimate of the memory a document holds, to bound subscribers' buffers in bytes.

Documents are never serialised to be measured: the estimate adds the ``nbytes`` of the numpy
arrays (and the length of the bytes) found one level down in a document's dicts — an event's
``data``, an event page's columns — to a small constant for the rest of the document.
"""

from __future__ import annotations

from typing import Any

import numpy as np

DOCUMENT_OVERHEAD = 1024
"""Bytes counted for a document besides its arrays: its dicts, keys, numbers and strings."""


def document_nbytes(doc: Any) -> int:
    """Estimate the bytes ``doc`` keeps alive: its arrays' ``nbytes`` plus a constant."""
    size = DOCUMENT_OVERHEAD
    if type(doc) is not dict:
        return size
    for field in doc.values():
        if type(field) is dict:
            for value in field.values():
                size += _payload_nbytes(value)
    return size


def _payload_nbytes(value: Any) -> int:
    """The bytes of an array or a bytes value, or of a column (list) of them; 0 otherwise."""
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if isinstance(value, bytes | bytearray):
        return len(value)
    if type(value) is list and value and isinstance(value[0], np.ndarray | bytes | bytearray):
        return sum(_payload_nbytes(item) for item in value)
    return 0

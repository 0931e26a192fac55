"""Compact JSON for the catalog's TEXT columns (numpy values as plain numbers and lists).

One encoder is made once and reused: ``json.dumps`` with options builds a new encoder per call,
which costs more than encoding a small event's data.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np


def _plain(value: object) -> object:
    """What JSON cannot carry directly: numpy arrays and scalars, as lists and numbers."""
    if isinstance(value, np.ndarray | np.generic):
        return value.tolist()
    raise TypeError(f"a document holds a {type(value).__name__}, which JSON cannot carry")


_ENCODER = json.JSONEncoder(separators=(",", ":"), default=_plain)
_DECODER = json.JSONDecoder()


def dumps(value: object) -> str:
    """Serialize a document or a part of one."""
    return _ENCODER.encode(value)


def loads(text: str) -> Any:
    """Parse what :func:`dumps` wrote."""
    return _DECODER.decode(text)

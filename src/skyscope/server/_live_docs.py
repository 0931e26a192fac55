"""Recent documents, numbered, in a bounded ring a websocket client can resume from.

The engine hands every document to ``DocumentRing`` (on the loop, cheaply: a reference and a
number). A client asks for documents after sequence number ``n``; if ``n`` has already left
the ring, it is told how many it missed instead of being silently skipped ahead.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

DEFAULT_CAPACITY = 4096
_INLINE_ARRAY_LIMIT = 4096
"""Arrays with more elements than this are sent as their shape and dtype, not their values."""


@dataclass
class Numbered:
    """One document with its sequence number; its JSON is made once, when first sent."""

    seq: int
    name: str
    doc: Mapping[str, Any]
    _json: str | None = field(default=None, repr=False)

    def json(self) -> str:
        """The websocket message for this document."""
        if self._json is None:
            message = {"type": "document", "seq": self.seq, "name": self.name, "doc": self.doc}
            self._json = browser_json(message)
        return self._json


def browser_json(message: Any) -> str:
    """``message`` as JSON a browser's ``JSON.parse`` accepts (strict JSON).

    Infinities and NaN (a stage's unlimited velocity) become ``"inf"``, ``"-inf"``, ``"nan"``.
    """
    try:
        return json.dumps(message, default=_jsonable, allow_nan=False)
    except ValueError:  # rare: a non-finite number somewhere; Python's own JSON reads them back
        plain = json.loads(json.dumps(message, default=_jsonable))
        return json.dumps(_finite(plain), allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        if value.size <= _INLINE_ARRAY_LIMIT:
            return value.tolist()
        return {"array": {"shape": list(value.shape), "dtype": str(value.dtype)}}
    if isinstance(value, np.generic):
        return value.item()
    return repr(value)


@dataclass(frozen=True)
class Gap:
    """Documents a client asked for that have already left the ring."""

    requested: int
    oldest: int

    def json(self) -> str:
        """The message telling the client it fell behind."""
        missed = self.oldest - self.requested
        return json.dumps(
            {
                "type": "gap",
                "requested": self.requested,
                "oldest": self.oldest,
                "missed": missed,
                "msg": f"{missed} documents after seq {self.requested - 1} are no longer kept; "
                f"resuming at seq {self.oldest}",
            }
        )


class DocumentRing:
    """The last ``capacity`` documents, numbered from 1, for clients to read and resume."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        """Keep at most ``capacity`` documents."""
        if capacity < 1:
            raise ValueError(f"a document ring needs room for at least 1 document, not {capacity}")
        self.capacity = capacity
        self.seq = 0
        self._ring: deque[Numbered] = deque(maxlen=capacity)
        self._arrived = asyncio.Event()

    def __call__(self, name: str, doc: Mapping[str, Any]) -> None:
        """Number and keep a document (the engine's subscriber)."""
        self.seq += 1
        self._ring.append(Numbered(self.seq, name, doc))
        self._arrived.set()

    @property
    def oldest(self) -> int:
        """The sequence number of the oldest document kept (``seq + 1`` when empty)."""
        return self._ring[0].seq if self._ring else self.seq + 1

    def after(self, seq: int) -> tuple[Gap | None, list[Numbered]]:
        """Documents numbered above ``seq``, and the gap if some of them are gone."""
        wanted = seq + 1
        gap = Gap(wanted, self.oldest) if wanted < self.oldest and self.seq >= wanted else None
        skip = max(0, wanted - self.oldest)
        return gap, [self._ring[i] for i in range(skip, len(self._ring))]

    async def wait_beyond(self, seq: int) -> None:
        """Return once a document numbered above ``seq`` has arrived."""
        while self.seq <= seq:
            self._arrived.clear()
            await self._arrived.wait()

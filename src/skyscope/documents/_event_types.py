"""The documents that carry measured data: ``Event`` and ``EventPage`` (event-model 1.24)."""

from __future__ import annotations

from typing import Any, NotRequired

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

from ._arrays import AnyArray, ArrayOf


@with_config(ConfigDict(extra="forbid"))
class Event(TypedDict):
    """One row of a stream: a value and a timestamp per data key."""

    uid: str
    """Globally unique ID of this event."""
    time: float
    """When the event was made (may differ from the data's own timestamps)."""
    descriptor: str
    """uid of the descriptor this event belongs to."""
    seq_num: int
    """Position of this event in its stream, counting from 1."""
    data: dict[str, Any]
    """The values, by data key."""
    timestamps: dict[str, Any]
    """When each value was taken, by data key."""
    filled: NotRequired[dict[str, bool | str]]
    """For externally stored keys: False while ``data`` holds a reference, not the data."""


@with_config(ConfigDict(extra="forbid"))
class EventPage(TypedDict):
    """Many rows of one stream, as columns: each field of ``Event`` becomes a list."""

    uid: ArrayOf[str]
    time: ArrayOf[float]
    descriptor: str
    seq_num: ArrayOf[int]
    data: dict[str, AnyArray]
    timestamps: dict[str, AnyArray]
    filled: NotRequired[dict[str, ArrayOf[bool | str]]]

"""Composers for a run's external-data documents.

Resources with their datums, and stream resources with their stream datums.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from ._arrays import as_column
from ._asset_types import Datum, DatumPage, Resource, StreamDatum, StreamRange, StreamResource
from ._errors import DocumentValidationError
from ._run_state import RunState
from ._stream import StreamComposer
from ._validate import validate
from ._value_checks import got, is_integer


class ResourceComposer:
    """Composes the datums of one resource; ``doc`` is the resource document."""

    __slots__ = ("_counter", "_run", "doc", "uid")

    def __init__(self, run: RunState, doc: Resource) -> None:
        """Compose datums of the resource ``doc`` in ``run``."""
        self._run = run
        self.doc = doc
        self.uid = doc["uid"]
        self._counter = itertools.count()

    def datum(self, datum_kwargs: Mapping[str, Any]) -> Datum:
        """Compose the next datum, id '<resource uid>/<n>' counting from 0."""
        self._run.refuse_if_stopped("datum")
        doc: Datum = {
            "datum_id": f"{self.uid}/{next(self._counter)}",
            "resource": self.uid,
            "datum_kwargs": dict(datum_kwargs),
        }
        validate("datum", doc)
        return doc

    def datum_page(self, datum_kwargs: Mapping[str, Sequence[Any]]) -> DatumPage:
        """Compose the next datums as one page: one column per keyword argument."""
        self._run.refuse_if_stopped("datum_page")
        lengths = {key: len(column) for key, column in datum_kwargs.items()}
        if len(set(lengths.values())) != 1 or 0 in lengths.values():
            raise DocumentValidationError(
                "datum_page",
                f"datum_kwargs columns must be non-empty and equal in length, got {lengths}",
            )
        rows = next(iter(lengths.values()))
        doc: DatumPage = {
            "datum_id": [f"{self.uid}/{next(self._counter)}" for _ in range(rows)],
            "resource": self.uid,
            "datum_kwargs": {key: as_column(column) for key, column in datum_kwargs.items()},
        }
        validate("datum_page", doc)
        return doc


class StreamResourceComposer:
    """Composes the stream datums of one stream resource; ``doc`` is the stream resource."""

    __slots__ = ("_counter", "_run", "doc", "uid")

    def __init__(self, run: RunState, doc: StreamResource) -> None:
        """Compose stream datums of the stream resource ``doc`` in ``run``."""
        self._run = run
        self.doc = doc
        self.uid = doc["uid"]
        self._counter = itertools.count()

    def stream_datum(
        self, stream: StreamComposer, indices: tuple[int, int], seq_nums: tuple[int, int]
    ) -> StreamDatum:
        """Compose a stream datum tying frames to events.

        Frames ``indices`` [start, stop) of this resource belong to the events ``seq_nums``
        [start, stop) of ``stream``, whose descriptor must list this data key as STREAM:.
        """
        self._run.refuse_if_stopped("stream_datum")
        data_key = self.doc["data_key"]
        if data_key not in stream.stream_keys:
            raise DocumentValidationError(
                "stream_datum",
                f"stream resource {self.uid} holds data key {data_key!r}, which is not a STREAM: "
                f"data key of stream {stream.name!r} (those are {sorted(stream.stream_keys)})",
            )
        doc: StreamDatum = {
            "uid": f"{self.uid}/{next(self._counter)}",
            "stream_resource": self.uid,
            "descriptor": stream.uid,
            "indices": _stream_range("indices", indices),
            "seq_nums": _stream_range("seq_nums", seq_nums),
        }
        validate("stream_datum", doc)
        return doc


def _stream_range(field: str, bounds: tuple[int, int]) -> StreamRange:
    """Return a checked half-open range from a (start, stop) pair of integers."""
    try:
        start, stop = bounds
    except (TypeError, ValueError):
        raise DocumentValidationError(
            "stream_datum", f"{field}: expected a (start, stop) pair, {got(bounds)}"
        ) from None
    if not (is_integer(start) and is_integer(stop) and 0 <= start <= stop):
        raise DocumentValidationError(
            "stream_datum",
            f"{field}: expected integers 0 <= start <= stop, got ({start!r}, {stop!r})",
        )
    return {"start": int(start), "stop": int(stop)}

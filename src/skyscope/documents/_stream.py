"""One stream of a run (one descriptor): composes its events and event pages."""

from __future__ import annotations

import time as _time
from collections.abc import Mapping, Sequence
from typing import Any

from ._arrays import as_column
from ._descriptor_types import EventDescriptor
from ._event_check import EventDataChecker
from ._event_types import Event, EventPage
from ._run_state import RunState
from ._uid import new_uid


class EventCounter:
    """Events emitted so far in a stream name (shared by its descriptors, as event-model does)."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        """Start at zero events."""
        self.count = 0


class StreamComposer:
    """Composes a stream's events, each checked against its descriptor's data keys.

    Made by ``RunComposer.descriptor``; ``doc`` is the descriptor document it composed.
    """

    __slots__ = ("_check", "_counter", "_run", "doc", "name", "uid")

    def __init__(self, run: RunState, doc: EventDescriptor, counter: EventCounter) -> None:
        """Compose events for the descriptor ``doc`` of ``run``, numbering them via ``counter``."""
        self._run = run
        self._counter = counter
        self.doc = doc
        self.name: str = doc.get("name", "")
        self.uid = doc["uid"]
        self._check = EventDataChecker(self.name, doc["data_keys"], run.dtype_mismatches)

    @property
    def num_events(self) -> int:
        """Events composed so far in this stream (by name, across its descriptors)."""
        return self._counter.count

    def advance(self, rows: int) -> tuple[int, int]:
        """Count ``rows`` recorded by stream datums (a flyer's frames); return their seq_nums.

        The range is ``(start, stop)`` with ``stop`` exclusive, as a StreamDatum's ``seq_nums``;
        the stop document's ``num_events`` includes these rows, as bluesky's does.
        """
        if rows < 0:
            raise ValueError(f"stream {self.name!r}: cannot advance by {rows} rows")
        start = self._counter.count + 1
        self._counter.count += rows
        return start, start + rows

    @property
    def stream_keys(self) -> frozenset[str]:
        """The data keys whose data lives in stream resources (``external: "STREAM:"``)."""
        return self._check.stream_keys

    def event(
        self,
        data: Mapping[str, Any],
        timestamps: Mapping[str, float],
        *,
        time: float | None = None,
        filled: Mapping[str, bool | str] | None = None,
    ) -> Event:
        """Compose the next event: data and timestamps checked, ``seq_num`` counting from 1.

        Values are referenced, not copied (arrays included); STREAM: keys are left out.
        """
        self._run.refuse_if_stopped("event")
        data, stamps = self._check.event(data, timestamps)
        if time is None:
            time = _time.time()
        else:
            self._check.check_time(time)
        filled_doc = self._check.filled(filled, data) if filled or self._check.external_keys else {}
        counter = self._counter
        seq_num = counter.count + 1
        doc: Event = {
            "uid": new_uid(),
            "time": time,
            "descriptor": self.uid,
            "seq_num": seq_num,
            "data": data,
            "timestamps": stamps,
            "filled": filled_doc,
        }
        counter.count = seq_num
        return doc

    def event_page(
        self,
        data: Mapping[str, Sequence[Any]],
        timestamps: Mapping[str, Sequence[float]],
        *,
        time: Sequence[float] | None = None,
        filled: Mapping[str, Sequence[bool | str]] | None = None,
    ) -> EventPage:
        """Compose the next events as one page of columns (lists or numpy arrays, kept as given)."""
        self._run.refuse_if_stopped("event_page")
        rows_hint = None if time is None else len(time)
        columns, stamps, rows = self._check.page(data, timestamps, rows_hint)
        times = [_time.time()] * rows if time is None else list(time)
        for value in times:
            self._check.check_time(value, kind="event_page")
        first = self._counter.count + 1
        doc: EventPage = {
            "uid": [new_uid() for _ in range(rows)],
            "time": times,
            "descriptor": self.uid,
            "seq_num": list(range(first, first + rows)),
            "data": {k: as_column(v) for k, v in columns.items()},
            "timestamps": {k: as_column(v) for k, v in stamps.items()},
            "filled": self._check.page_filled(filled, columns, rows),
        }
        self._counter.count = first + rows - 1
        return doc

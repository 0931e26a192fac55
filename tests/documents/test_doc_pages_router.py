"""Event ⇄ EventPage and Datum ⇄ DatumPage, and the router that uses them."""

from __future__ import annotations

from typing import Any

import event_model
import numpy as np
from _document_samples import SCALARS

from skyscope.documents import (
    Datum,
    DocumentRouter,
    Event,
    EventPage,
    RunComposer,
    pack_datum_page,
    pack_event_page,
    unpack_datum_page,
    unpack_event_page,
)


def _events(count: int = 3) -> list[Event]:
    stream = RunComposer({}).descriptor("primary", SCALARS)
    return [
        stream.event(
            {"motor": 0.5 * i, "counts": i, "shutter_open": bool(i % 2)},
            dict.fromkeys(SCALARS, 10.0 + i),
        )
        for i in range(count)
    ]


def _datums() -> list[Datum]:
    resource = RunComposer({}).resource("AD_HDF5", "/", "a.h5", {})
    return [resource.datum({"point_number": i, "frame": i * 2}) for i in range(3)]


def test_event_page_round_trip_matches_event_model() -> None:
    events = _events()
    page = pack_event_page(*events)
    assert page == event_model.pack_event_page(*events)
    assert list(unpack_event_page(page)) == events
    assert list(unpack_event_page(page)) == list(event_model.unpack_event_page(page))


def test_datum_page_round_trip_matches_event_model() -> None:
    datums = _datums()
    page = pack_datum_page(*datums)
    assert page == event_model.pack_datum_page(*datums)
    assert list(unpack_datum_page(page)) == datums


def test_unpacking_a_numpy_page_gives_views_not_copies() -> None:
    stream = RunComposer({}).descriptor(
        "primary", {"img": {"source": "s", "dtype": "array", "shape": [2, 2]}}
    )
    column = np.arange(12.0).reshape(3, 2, 2)
    page = stream.event_page({"img": column}, {"img": [1.0, 2.0, 3.0]})
    rows = [event["data"]["img"] for event in unpack_event_page(page)]
    assert all(np.shares_memory(row, column) for row in rows)
    assert [event["seq_num"] for event in unpack_event_page(page)] == [1, 2, 3]


class EventsOnly(DocumentRouter):
    def __init__(self) -> None:
        self.seen: list[int] = []

    def event(self, doc: Event) -> Event:
        self.seen.append(doc["seq_num"])
        return {**doc, "data": {**doc["data"], "motor": doc["data"]["motor"] * 10}}


class PagesOnly(DocumentRouter):
    def __init__(self) -> None:
        self.pages: list[list[int]] = []

    def event_page(self, doc: EventPage) -> None:
        self.pages.append(list(doc["seq_num"]))


def test_a_router_handling_events_sees_each_row_of_a_page() -> None:
    router = EventsOnly()
    name, output = router("event_page", pack_event_page(*_events()))
    assert name == "event_page"
    assert router.seen == [1, 2, 3]
    assert output["data"]["motor"] == [0.0, 5.0, 10.0]


def test_a_router_handling_pages_sees_an_event_as_a_one_row_page() -> None:
    router = PagesOnly()
    event = _events(1)[0]
    assert router("event", event) == ("event", event)
    assert router.pages == [[1]]


def test_unhandled_kinds_pass_through_unchanged() -> None:
    router = EventsOnly()
    start = RunComposer({"plan_name": "count"}).start
    assert router("start", start) == ("start", start)
    datums = _datums()
    assert router("datum_page", pack_datum_page(*datums))[1] == pack_datum_page(*datums)


def test_router_dispatches_every_kind_to_its_method() -> None:
    calls: list[str] = []

    class Recorder(DocumentRouter):
        def __getattribute__(self, name: str) -> Any:
            if name in event_model.DocumentNames.__members__:
                calls.append(name)
            return super().__getattribute__(name)

    from _document_samples import CONTENTS, compose_sample_run

    docs = compose_sample_run(CONTENTS["everything"])
    router = Recorder()
    for name, doc in docs:
        assert router(name, doc) == (name, doc)
    assert calls == [name for name, _ in docs]

"""``DocumentRouter``: dispatch ``(name, doc)`` to one method per document kind.

As ``event_model.DocumentRouter`` does, a subclass that handles only ``event`` still sees the
rows of every ``event_page``, and one that handles only ``event_page`` sees every ``event`` as
a one-row page; likewise ``datum``/``datum_page``. A method returns a document, which replaces
the input in the result, or ``None`` to keep the input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar, cast

from ._asset_types import Datum, DatumPage, Resource, StreamDatum, StreamResource
from ._descriptor_types import EventDescriptor
from ._errors import DocumentValidationError
from ._event_types import Event, EventPage
from ._names import DOCUMENT_NAMES
from ._pages import pack_datum_page, pack_event_page, unpack_datum_page, unpack_event_page
from ._run_types import RunStart, RunStop

Row = TypeVar("Row", Event, Datum)
Page = TypeVar("Page", EventPage, DatumPage)

_COUNTERPART = {
    "event": "event_page",
    "event_page": "event",
    "datum": "datum_page",
    "datum_page": "datum",
}


class DocumentRouter:
    """Route each document to the method named after its kind; override the ones you need."""

    def __call__(self, name: str, doc: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """Dispatch ``doc`` of kind ``name``; return the name and the (possibly new) document."""
        if name not in DOCUMENT_NAMES:
            raise DocumentValidationError(repr(name), "unknown document kind; cannot route it")
        plain = doc if type(doc) is dict else dict(doc)
        counterpart = _COUNTERPART.get(name)
        if counterpart and not self._overrides(name) and self._overrides(counterpart):
            output = self._via_counterpart(name, plain)
        else:
            output = getattr(self, name)(plain)
        return name, plain if output is None else cast(dict[str, Any], output)

    def _overrides(self, name: str) -> bool:
        return getattr(type(self), name) is not getattr(DocumentRouter, name)

    def _via_counterpart(self, name: str, doc: dict[str, Any]) -> Mapping[str, Any] | None:
        """Hand an event over as a one-row page, or a page as its events; same for datums."""
        if name == "event":
            page = self.event_page(pack_event_page(cast(Event, doc)))
            return None if page is None else _only_row(page, unpack_event_page)
        if name == "datum":
            datum_page = self.datum_page(pack_datum_page(cast(Datum, doc)))
            return None if datum_page is None else _only_row(datum_page, unpack_datum_page)
        if name == "event_page":
            return _row_by_row(cast(EventPage, doc), self.event, unpack_event_page, pack_event_page)
        return _row_by_row(cast(DatumPage, doc), self.datum, unpack_datum_page, pack_datum_page)

    def start(self, doc: RunStart) -> RunStart | None:
        """Handle a run's start document."""
        return None

    def descriptor(self, doc: EventDescriptor) -> EventDescriptor | None:
        """Handle a stream's descriptor."""
        return None

    def event(self, doc: Event) -> Event | None:
        """Handle one event (event pages come here row by row unless ``event_page`` is handled)."""
        return None

    def event_page(self, doc: EventPage) -> EventPage | None:
        """Handle an event page (events come here as one-row pages unless ``event`` is handled)."""
        return None

    def resource(self, doc: Resource) -> Resource | None:
        """Handle a resource."""
        return None

    def datum(self, doc: Datum) -> Datum | None:
        """Handle one datum (datum pages come here row by row unless ``datum_page`` is handled)."""
        return None

    def datum_page(self, doc: DatumPage) -> DatumPage | None:
        """Handle a datum page (datums come here as one-row pages unless ``datum`` is handled)."""
        return None

    def stream_resource(self, doc: StreamResource) -> StreamResource | None:
        """Handle a stream resource."""
        return None

    def stream_datum(self, doc: StreamDatum) -> StreamDatum | None:
        """Handle a stream datum."""
        return None

    def stop(self, doc: RunStop) -> RunStop | None:
        """Handle a run's stop document."""
        return None


def _only_row(page: Page, unpack: Callable[[Page], Iterator[Row]]) -> Row:
    (row,) = unpack(page)
    return row


def _row_by_row(
    page: Page,
    handle: Callable[[Row], Row | None],
    unpack: Callable[[Page], Iterator[Row]],
    pack: Callable[..., Page],
) -> Page:
    rows = list(unpack(page))
    outputs = [handle(row) for row in rows]
    return pack(
        *(row if output is None else output for row, output in zip(rows, outputs, strict=True))
    )

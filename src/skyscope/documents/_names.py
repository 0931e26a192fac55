"""The names of the ten document kinds, as they travel with each document."""

from __future__ import annotations

from typing import Literal, get_args

DocumentName = Literal[
    "start",
    "descriptor",
    "event",
    "event_page",
    "resource",
    "datum",
    "datum_page",
    "stream_resource",
    "stream_datum",
    "stop",
]
"""The kind of a document: the ``name`` in every ``(name, doc)`` pair."""

DOCUMENT_NAMES: tuple[DocumentName, ...] = get_args(DocumentName)
"""Every document kind, in the order a run emits them first."""

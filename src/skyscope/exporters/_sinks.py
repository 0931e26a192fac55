"""Documents to any destination, not only a file path: a binary file-like, or an async writer.

``SinkExporter(sink)`` writes every document of every run, encoded as ``"jsonl"``,
``"jsonl-pairs"`` (suitcase-jsonl's ``[name, doc]`` lines) or ``"msgpack"``, to anything with a
``write(bytes)`` method: an open file, ``io.BytesIO``, a socket's file. ``AsyncSinkExporter``
does the same through an ``async`` writer (a websocket's ``send_bytes``, an asyncio stream
writer's ``write`` + ``drain``), so the engine awaits it and a slow client holds back only its
own buffer. The caller owns the sink: closing the exporter flushes it, never closes it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from ._document_exporter import Document
from ._document_files import ENCODINGS


class BinarySink(Protocol):
    """Anything documents can be written to: ``write(bytes)`` (``flush()`` if it has one)."""

    def write(self, data: bytes, /) -> Any:
        """Take the encoded bytes of one document."""


def _encoder(format: str) -> Callable[[str, Document], bytes]:
    try:
        return ENCODINGS[format]
    except KeyError:
        known = ", ".join(sorted(ENCODINGS))
        raise ValueError(f"unknown document format {format!r}; one of {known}") from None


class SinkExporter:
    """Writes every ``(name, doc)`` it receives to ``sink``, encoded as ``format``."""

    prefers_thread = True
    """A file-like may block: ``engine.subscribe(exporter)`` runs it on its own thread."""

    def __init__(self, sink: BinarySink, *, format: str = "jsonl") -> None:
        self.sink = sink
        self.format = format
        self._encode = _encoder(format)
        self.count = 0
        """How many documents were written."""

    def __call__(self, name: str, doc: Document) -> None:
        """Encode and write one document."""
        self.sink.write(self._encode(name, doc))
        self.count += 1

    def close(self) -> None:
        """Flush the sink (the caller closes it)."""
        flush = getattr(self.sink, "flush", None)
        if callable(flush):
            flush()


class AsyncSinkExporter:
    """Awaits ``write(encoded)`` for every ``(name, doc)`` it receives: an async subscriber."""

    def __init__(
        self, write: Callable[[bytes], Awaitable[object]], *, format: str = "jsonl"
    ) -> None:
        self.write = write
        self.format = format
        self._encode = _encoder(format)
        self.count = 0
        """How many documents were written."""

    async def __call__(self, name: str, doc: Document) -> None:
        """Encode one document and wait until the sink took it."""
        await self.write(self._encode(name, doc))
        self.count += 1

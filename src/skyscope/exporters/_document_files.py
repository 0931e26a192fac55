"""Every document of a run, in order, in one file: JSONL (one per line) or a msgpack stream.

Both formats hold ``{"name": <kind>, "doc": {...}}`` pairs, as ``skyscope.documents``
serializes them (``dumps_named``, ``to_msgpack``) and as the catalog's own export writes them;
``read_jsonl`` and ``read_msgpack`` give the ``(name, doc)`` pairs back.
"""

from __future__ import annotations

import json
import os
from abc import abstractmethod
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, ClassVar, cast

import msgpack

from skyscope.documents import (
    DOCUMENT_NAMES,
    DocumentName,
    DocumentValidationError,
    RunStart,
    dumps_named,
    from_msgpack,
    loads_named,
    to_json,
    to_msgpack,
)

from ._document_exporter import Document, DocumentExporter, RunOutput, close_file

_READ_BLOCK = 1 << 20


class _EveryDocumentRun(RunOutput):
    """One file receiving each document of the run, encoded as it arrives."""

    def __init__(self, path: Path, encode: Callable[[str, Document], bytes], fsync: bool) -> None:
        super().__init__()
        self._file: IO[bytes] | None = open(path, "xb")  # noqa: SIM115 (closed in finish)
        self._encode = encode
        self._fsync = fsync
        self.paths.append(path)

    def __call__(self, name: str, doc: Document) -> tuple[str, dict[str, Any]]:
        """Write the document (every kind, unchanged)."""
        if self._file is None:
            raise ValueError(f"{self.paths[0]} is closed: the run's stop document came already")
        self._file.write(self._encode(name, doc))
        return name, dict(doc)

    def finish(self) -> None:
        """Flush and close the file."""
        if self._file is not None:
            file, self._file = self._file, None
            close_file(file, fsync=self._fsync)


class EveryDocumentExporter(DocumentExporter):
    """Writes every document of each run, in order, to one file ``<stem><suffix>``.

    Subclasses give the ``suffix`` and how a ``(name, doc)`` pair is encoded.
    """

    suffix: ClassVar[str]
    """The file name's ending, e.g. ".jsonl"."""

    @abstractmethod
    def encode(self, name: str, doc: Document) -> bytes:
        """Return the bytes that hold one ``(name, doc)`` pair in the file."""

    def _open_run(self, start: RunStart, stem: str) -> RunOutput:
        return _EveryDocumentRun(self.directory / f"{stem}{self.suffix}", self.encode, self.fsync)


def named_line(name: str, doc: Document) -> bytes:
    """One JSONL line ``{"name": ..., "doc": ...}`` (``dumps_named``) with its newline."""
    return (dumps_named(name, doc) + "\n").encode()


def pair_line(name: str, doc: Document) -> bytes:
    """One JSONL line ``[name, doc]``, the form bluesky's suitcase-jsonl writes."""
    return b'["' + name.encode() + b'",' + to_json(doc).encode() + b"]\n"


def msgpack_message(name: str, doc: Document) -> bytes:
    """One msgpack message ``{"name": ..., "doc": ...}`` (arrays exact)."""
    return to_msgpack({"name": name, "doc": doc})


ENCODINGS: dict[str, Callable[[str, Document], bytes]] = {
    "jsonl": named_line,
    "jsonl-pairs": pair_line,
    "msgpack": msgpack_message,
}
"""How a ``(name, doc)`` pair becomes bytes, by format name."""


class JSONLExporter(EveryDocumentExporter):
    """Writes every document of each run to ``<stem>.jsonl``, one document per line.

    Lines are ``{"name", "doc"}`` objects, or with ``pairs=True`` the ``[name, doc]`` arrays of
    bluesky's suitcase-jsonl. Arrays become nested lists (JSON). ``read_jsonl`` reads both.
    """

    suffix = ".jsonl"

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        pairs: bool = False,
        file_stem: str | None = None,
        fsync: bool = True,
    ) -> None:
        super().__init__(directory, file_stem=file_stem, fsync=fsync)
        self._line = pair_line if pairs else named_line

    def encode(self, name: str, doc: Document) -> bytes:
        """Return one JSON line with its newline."""
        return self._line(name, doc)


class MsgpackExporter(EveryDocumentExporter):
    """Writes every document of each run to ``<stem>.msgpack``: a stream of msgpack maps.

    Each message is ``{"name": <kind>, "doc": {...}}``; numpy arrays keep dtype and shape
    exactly (``skyscope.documents.to_msgpack``). Read it back with ``read_msgpack``.
    """

    suffix = ".msgpack"

    def encode(self, name: str, doc: Document) -> bytes:
        """Return one msgpack message (``skyscope.documents.to_msgpack``)."""
        return msgpack_message(name, doc)


def read_jsonl(path: str | os.PathLike[str]) -> Iterator[tuple[DocumentName, dict[str, Any]]]:
    """Yield the ``(name, doc)`` pairs of a JSONL file, one document per line.

    Lines may be ``{"name", "doc"}`` objects (skyscope's form) or ``[name, doc]`` arrays
    (suitcase-jsonl's).
    """
    with open(path, encoding="utf-8") as file:
        for line in file:
            if line.lstrip().startswith("["):
                yield _pair(line)
            elif line.strip():
                yield loads_named(line)


def _pair(line: str) -> tuple[DocumentName, dict[str, Any]]:
    """``(name, doc)`` from a ``[name, doc]`` line."""
    pair = json.loads(line)
    if len(pair) != 2 or pair[0] not in DOCUMENT_NAMES or not isinstance(pair[1], dict):
        raise DocumentValidationError(
            "(unnamed)", f"a [name, doc] line must hold a document kind and a document: {line:.80}"
        )
    return cast(DocumentName, pair[0]), pair[1]


def read_msgpack(path: str | os.PathLike[str]) -> Iterator[tuple[DocumentName, dict[str, Any]]]:
    """Yield the ``(name, doc)`` pairs of a msgpack stream written by ``MsgpackExporter``.

    Each message is decoded by ``skyscope.documents.from_msgpack`` (arrays exact). A file cut
    short (the writer died mid-message) yields every whole message, then raises ``ValueError``.
    """
    unpacker = msgpack.Unpacker(raw=False)
    pending = bytearray()
    offset = 0
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(_READ_BLOCK), b""):
            unpacker.feed(block)
            pending += block
            while (end := _next_message_end(unpacker)) is not None:
                size = end - offset
                yield _named(from_msgpack(bytes(pending[:size])))
                del pending[:size]
                offset = end
    if pending:
        raise ValueError(
            f"{path} ends with {len(pending)} byte(s) of an incomplete message at byte {offset}"
        )


def _next_message_end(unpacker: msgpack.Unpacker) -> int | None:
    """Skip over the next whole message; return where it ends, or None if it is incomplete."""
    try:
        unpacker.skip()
    except msgpack.OutOfData:
        return None
    return int(unpacker.tell())


def _named(pair: dict[str, Any]) -> tuple[DocumentName, dict[str, Any]]:
    name, doc = pair.get("name"), pair.get("doc")
    if name not in DOCUMENT_NAMES or not isinstance(doc, dict):
        raise DocumentValidationError(
            repr(name), f'a message must be {{"name": <document kind>, "doc": {{...}}}}, got {pair}'
        )
    return name, doc

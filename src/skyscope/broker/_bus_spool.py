"""The publisher's spool: documents waiting for the bus, on disk, in the catalog journal format.

One append-only file per publisher (records are ``length | crc32 | msgpack``, as in a run's
journal, holding the subject, the message id and the encoded document). It is read back in
order from an offset as the bus acknowledges, and emptied once everything in it is published.
The publisher calls it from one worker thread only, never from the event loop. A spool left by
a publisher that died (its lock is free) is published first by the next one that opens it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ._journal import JournalFile, _payload_at, decode_payload, encode

# How much of the spool one read takes (whole records only; a longer record is read alone).
READ_CHUNK_BYTES = 4 * 2**20
_HEADER_BYTES = 8


@dataclass(frozen=True)
class Outgoing:
    """One document on its way to the bus: where it goes, its dedup id, its bytes."""

    subject: str
    msg_id: str
    payload: bytes
    spool_end: int = -1
    """Offset just past its record in the spool; -1 when it is held in memory."""

    @property
    def nbytes(self) -> int:
        """What it costs to hold in memory (roughly)."""
        return len(self.payload) + len(self.subject) + len(self.msg_id) + 64


class Spool:
    """An append-only file of :class:`Outgoing` records, read back in order."""

    def __init__(self, path: Path) -> None:
        """Open (creating) ``path`` and lock it; what a dead publisher left is kept.

        A record a dead publisher was writing when it died is cut off (``torn_bytes`` says how
        much), so that new records follow the last whole one.
        """
        self.path = path
        self._file = JournalFile(path)
        end = _whole_records_end(path, self._file.size)
        self.torn_bytes = self._file.size - end
        if self.torn_bytes:
            os.truncate(path, end)
            self._file.size = end

    @property
    def size(self) -> int:
        """Bytes written so far."""
        return self._file.size

    def append(self, item: Outgoing) -> int:
        """Write one record; return the offset just past it."""
        return self._file.append(_record(item))

    def read(self, offset: int, limit: int) -> list[Outgoing]:
        """Up to ``limit`` whole records from ``offset`` (none: the rest is torn or damaged)."""
        with self.path.open("rb") as file:
            file.seek(offset)
            data = file.read(min(READ_CHUNK_BYTES, self.size - offset))
            if len(data) >= _HEADER_BYTES and _payload_at(data, 0) is None:
                length = int.from_bytes(data[:4], "little")
                data += file.read(length + _HEADER_BYTES - len(data))
        items: list[Outgoing] = []
        position = 0
        while len(items) < limit and (payload := _payload_at(data, position)) is not None:
            position += _HEADER_BYTES + len(payload)
            subject, body = decode_payload(payload)
            items.append(Outgoing(subject, str(body["i"]), bytes(body["p"]), offset + position))
        return items

    def keep(self, front: list[Outgoing], offset: int) -> None:
        """Rewrite the spool as ``front`` then its records from ``offset`` (what is unsent)."""
        rest = b""
        if offset < self.size:
            with self.path.open("rb") as file:
                file.seek(offset)
                rest = file.read()
        records = [_record(item) for item in front]
        draft = self.path.with_name(self.path.name + ".new")
        draft.write_bytes(b"".join(records) + rest)
        os.replace(draft, self.path)
        self._file.size = len(rest) + sum(map(len, records))

    def clear(self) -> None:
        """Empty the file: everything in it is published."""
        os.truncate(self.path, 0)
        self._file.size = 0

    def close(self) -> None:
        """Release the file; an empty spool is deleted, one holding documents is kept."""
        self._file.close(delete=self.size == 0)


def _record(item: Outgoing) -> bytes:
    """The spool record of one document: the journal format, holding subject, id and bytes."""
    return encode(item.subject, {"i": item.msg_id, "p": item.payload})


def _whole_records_end(path: Path, size: int) -> int:
    """Where the last whole record of a spool ends (a record at a time, never all of it)."""
    offset = 0
    with path.open("rb") as file:
        while offset + _HEADER_BYTES <= size:
            header = file.read(_HEADER_BYTES)
            length = int.from_bytes(header[:4], "little")
            if offset + _HEADER_BYTES + length > size:
                break
            if _payload_at(header + file.read(length), 0) is None:
                break
            offset += _HEADER_BYTES + length
    return offset

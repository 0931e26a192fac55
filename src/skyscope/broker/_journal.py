"""Per-run journals: every document the catalog accepts is appended here before it is committed.

A journal is one append-only file per run, ``<run uid>.jrnl`` in the catalog's journal folder.
Each record is ``length (4 bytes) | crc32 (4 bytes) | msgpack [name, doc]``; a record cut short by
a crash fails its length or checksum and ends the readable part. The process writing a journal
holds an exclusive ``flock`` on it, so a journal nobody holds belongs to a writer that died (or
closed with documents it could not commit) and is safe to replay. Appends are plain ``write``
calls (a killed process loses nothing written); ``sync`` makes them survive a power cut too.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgpack

from skyscope.documents import from_msgpack, to_msgpack

SUFFIX = ".jrnl"
_HEADER = struct.Struct("<II")
# A record longer than this is not one we wrote: the length bytes are damaged.
MAX_RECORD_BYTES = 1 << 31


def encode(name: str, doc: Any) -> bytes:
    """One record: header and msgpack payload (numpy arrays kept exactly)."""
    payload = to_msgpack({"n": name, "d": doc})
    return _HEADER.pack(len(payload), zlib.crc32(payload)) + payload


def decode_payload(payload: bytes) -> tuple[str, dict[str, Any]]:
    """``(name, doc)`` from a record's payload."""
    pair = from_msgpack(payload)
    return str(pair["n"]), pair["d"]


def journal_folder(catalog_path: Path) -> Path:
    """Where a catalog's journals live: ``<catalog stem>.journals`` beside the catalog file."""
    return catalog_path.with_name(catalog_path.name + ".journals")


class JournalFile:
    """One run's journal, open for appending and locked by this process."""

    def __init__(self, path: Path) -> None:
        """Open (creating) ``path`` and take its lock; raise ``BlockingIOError`` if held."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BaseException:
            os.close(fd)
            raise
        self.path = path
        self._fd = fd
        self.size = os.fstat(fd).st_size
        self._synced = self.size

    @property
    def closed(self) -> bool:
        """Has :meth:`close` been called?"""
        return self._fd < 0

    def append(self, record: bytes) -> int:
        """Write one encoded record; return the offset just past it (``OSError`` on failure)."""
        view = memoryview(record)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        self.size += len(record)
        return self.size

    def sync(self) -> None:
        """Flush what was appended to the disk itself (no-op when nothing new)."""
        target = self.size
        if self._fd >= 0 and self._synced < target:
            os.fsync(self._fd)
            self._synced = max(self._synced, target)

    def close(self, delete: bool = False) -> None:
        """Release the lock and close; ``delete`` removes the file first (all of it committed)."""
        if self._fd < 0:
            return
        if delete:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
        os.close(self._fd)
        self._fd = -1


def read_record(path: Path, start: int, stop: int) -> tuple[str, dict[str, Any]]:
    """Read back the record stored at ``[start, stop)`` of a journal."""
    with path.open("rb") as file:
        file.seek(start + _HEADER.size)
        return decode_payload(file.read(stop - start - _HEADER.size))


@dataclass(frozen=True)
class JournalContents:
    """What a journal holds: its documents in order, and where its readable part ends."""

    documents: list[tuple[str, dict[str, Any]]]
    readable_bytes: int
    total_bytes: int

    @property
    def torn(self) -> bool:
        """Did the journal end in a record cut short (a crash mid-write)?"""
        return self.readable_bytes < self.total_bytes


def read_journal(path: Path) -> JournalContents:
    """Every whole record of a journal, stopping at the first damaged or truncated one."""
    data = path.read_bytes()
    return JournalContents(list(_records(data)), _readable_end(data), len(data))


def _records(data: bytes) -> Iterator[tuple[str, dict[str, Any]]]:
    offset = 0
    while (payload := _payload_at(data, offset)) is not None:
        try:
            yield decode_payload(payload)
        except (ValueError, KeyError, TypeError, msgpack.UnpackException):
            return
        offset += _HEADER.size + len(payload)


def _readable_end(data: bytes) -> int:
    offset = 0
    while (payload := _payload_at(data, offset)) is not None:
        offset += _HEADER.size + len(payload)
    return offset


def _payload_at(data: bytes, offset: int) -> bytes | None:
    """The payload of the record at ``offset`` if it is whole and its checksum holds."""
    if offset + _HEADER.size > len(data):
        return None
    length, crc = _HEADER.unpack_from(data, offset)
    start = offset + _HEADER.size
    if length > MAX_RECORD_BYTES or start + length > len(data):
        return None
    payload = data[start : start + length]
    return payload if zlib.crc32(payload) == crc else None


def is_held(path: Path) -> bool:
    """Does a live process hold this journal's lock (it is still being written)?"""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops a lock we took
    return False


def orphaned_journals(folder: Path) -> list[Path]:
    """Journals in ``folder`` that no live process holds, oldest first."""
    if not folder.is_dir():
        return []
    paths = sorted(folder.glob(f"*{SUFFIX}"), key=lambda p: p.stat().st_mtime)
    return [path for path in paths if not is_held(path)]

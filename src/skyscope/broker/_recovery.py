"""Replay the journals of writers that died, so every document they acknowledged is stored.

A journal that no live process holds belongs to a writer killed mid-run (or closed with
documents it could not commit). Its documents are ingested idempotently (what is stored
already changes nothing), a run left without a stop is marked *interrupted* with the reason,
and the journal is deleted once its documents are committed.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ._door import check_document
from ._errors import CatalogError, DocumentError
from ._journal import orphaned_journals as _orphans
from ._journal import read_journal
from ._store import Store

logger = logging.getLogger(__name__)


@dataclass
class Recovery:
    """What a replay of orphaned journals did."""

    runs: list[str] = field(default_factory=list)
    documents: int = 0
    interrupted: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """One line for a person."""
        if not self.runs:
            return "no journals to recover"
        text = (
            f"recovered {len(self.runs)} runs ({self.documents} documents) from their journals; "
            f"{len(self.interrupted)} marked interrupted"
        )
        return text + "".join(f"; {problem}" for problem in self.problems)


def recover(store: Store, folder: Path) -> Recovery:
    """Replay every orphaned journal in ``folder`` into ``store``."""
    report = Recovery()
    for path in _orphans(folder):
        with _claimed(path) as claimed:
            if claimed:
                _replay(store, path, report)
    return report


def pending_journals(folder: Path) -> list[Path]:
    """Journals waiting to be replayed (their writers are gone)."""
    return _orphans(folder)


def _replay(store: Store, path: Path, report: Recovery) -> None:
    run_uid = path.stem
    contents = read_journal(path)
    documents, refused = [], []
    for name, doc in contents.documents:
        try:
            documents.append((name, check_document(name, doc)))
        except DocumentError as error:
            refused.append(str(error))
    try:
        store.add_bulk(documents)
    except CatalogError as error:
        report.problems.append(f"run {run_uid}: not recovered yet ({error}); journal kept")
        return
    lost = _losses(contents.torn, contents.total_bytes - contents.readable_bytes, refused)
    if not any(name == "stop" for name, _ in documents):
        reason = _interruption(path, lost)
        if store.execute(_MARK_INTERRUPTED, (reason, run_uid)):
            report.interrupted.append(run_uid)
    report.runs.append(run_uid)
    report.documents += len(documents)
    report.problems.extend(f"run {run_uid}: {text}" for text in lost)
    path.unlink()


_MARK_INTERRUPTED = (
    "UPDATE runs SET interrupted = ?, writer_host = NULL, writer_pid = NULL "
    "WHERE uid = ? AND stop_uid IS NULL"
)


def _losses(torn: bool, torn_bytes: int, refused: list[str]) -> list[str]:
    lost = [f"a record cut short by the crash ({torn_bytes} bytes) was dropped"] if torn else []
    return lost + [f"refused on replay: {text}" for text in refused]


def _interruption(path: Path, lost: list[str]) -> str:
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime())
    reason = (
        "the process writing this run ended without a stop document; "
        f"recovered from its journal on {when}"
    )
    return reason + "".join(f"; {text}" for text in lost)


@contextlib.contextmanager
def _claimed(path: Path) -> Iterator[bool]:
    """Hold the journal's lock while replaying it, so two recoveries never race."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        yield False
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        yield False
        return
    try:
        yield True
    finally:
        os.close(fd)

"""One run's journal as the live catalog keeps it: the file, and what could not be written yet.

When the disk is full the file cannot grow; the records wait here, in order, and are written
as soon as it can (every later append tries them first). A document is *acknowledged* once it
is in the file, or, while the file cannot be written, held here until it is committed.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._journal import SUFFIX, JournalFile

logger = logging.getLogger(__name__)


@dataclass(eq=False)
class Pending:
    """A document on its way to the tables: in memory, or only in its journal (spilled)."""

    seq: int
    name: str
    doc: dict[str, Any] | None
    run: RunJournal
    nbytes: int
    start: int = -1
    stop: int = -1

    @property
    def journaled(self) -> bool:
        """Is it in the journal file (and so safe from a killed process)?"""
        return self.stop >= 0


@dataclass(eq=False)
class RunJournal:
    """A run's journal file (None until it could be opened) and its unwritten backlog."""

    run_uid: str
    path: Path
    file: JournalFile | None = None
    backlog: list[tuple[Pending, bytes]] = field(default_factory=list)
    error: str = ""
    stopped: bool = False
    started_at: float = 0.0

    def append(self, item: Pending, record: bytes) -> None:
        """Write ``record`` after any backlog; on failure keep both for the next try."""
        self.backlog.append((item, record))
        self.catch_up()

    def catch_up(self) -> bool:
        """Write the backlog in order; True when it is empty."""
        try:
            if self.file is None:
                self.file = JournalFile(self.path)
            while self.backlog:
                item, record = self.backlog[0]
                item.start = self.file.size
                item.stop = self.file.append(record)
                self.backlog.pop(0)
        except OSError as error:
            self._note(error)
            return False
        self.error = ""
        return True

    def sync(self) -> None:
        """Fsync what is written (a failure is noted, the data stays in the page cache)."""
        if self.file is not None:
            try:
                self.file.sync()
            except OSError as error:
                self._note(error)

    def close(self, delete: bool) -> None:
        """Close the file; ``delete`` when every document is committed."""
        if self.file is not None:
            self.file.close(delete=delete)
        elif delete and self.path.exists():
            os.unlink(self.path)
        if delete:
            self.backlog.clear()

    def _note(self, error: OSError) -> None:
        message = f"cannot write the journal {self.path}: {error.strerror or error}"
        if message != self.error:
            logger.warning("%s; holding %d documents in memory", message, len(self.backlog))
        self.error = message


def journal_path(folder: Path, run_uid: str) -> Path:
    """The journal file of a run."""
    return folder / f"{run_uid}{SUFFIX}"

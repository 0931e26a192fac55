"""One CSV file per stream of a run: ``time``, ``seq_num`` and each scalar data key.

Arrays and external data keys (frames in a detector's files) are not written: they do not fit
one cell. A stream whose descriptor changes its columns mid-run (after ``configure``) goes on in
``<stem>-<stream>-2.csv``.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import IO, Any

from skyscope.documents import Event, EventDescriptor, RunStart

from ._columns import StreamColumns, TableNames, plain, stream_columns
from ._document_exporter import DocumentExporter, RunOutput, close_file


class CSVExporter(DocumentExporter):
    """Writes each stream of each run to ``<stem>-<stream>.csv`` (scalar columns only).

    The header row is ``time,seq_num,<data key>...``; a missing value is an empty cell. Use
    ``skipped`` to learn which data keys were left out and why.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        file_stem: str | None = None,
        fsync: bool = True,
    ) -> None:
        super().__init__(directory, file_stem=file_stem, fsync=fsync)
        self.skipped: dict[str, dict[str, str]] = {}
        """Data keys not written, per stream name, with the reason (arrays, external)."""

    def _open_run(self, start: RunStart, stem: str) -> RunOutput:
        return _CSVRun(self.directory, stem, self.fsync, self.skipped)


class _Table:
    """One open CSV file and its columns."""

    def __init__(self, path: Path, columns: StreamColumns) -> None:
        self.columns = columns
        self.file: IO[str] = open(path, "x", newline="", encoding="utf-8")  # noqa: SIM115
        self.writer = csv.writer(self.file)
        self.writer.writerow(["time", "seq_num", *columns.keys])


class _CSVRun(RunOutput):
    """A run's CSV files, one per stream (table), opened at each new stream's descriptor."""

    def __init__(
        self, directory: Path, stem: str, fsync: bool, skipped: dict[str, dict[str, str]]
    ) -> None:
        super().__init__()
        self._directory, self._stem, self._fsync, self._skipped = directory, stem, fsync, skipped
        self._names = TableNames()
        self._tables: dict[str, _Table] = {}
        self._by_descriptor: dict[str, _Table] = {}

    def descriptor(self, doc: EventDescriptor) -> None:
        """Open the stream's file (or reuse it when the columns are the same)."""
        columns = stream_columns(doc, arrays=False)
        self._skipped.setdefault(columns.stream, {}).update(columns.skipped)
        name, new = self._names.name(columns)
        if new:
            path = self._directory / f"{self._stem}-{name}.csv"
            self._tables[name] = _Table(path, columns)
            self.paths.append(path)
        self._by_descriptor[doc["uid"]] = self._tables[name]

    def event(self, doc: Event) -> None:
        """Write one row (event pages arrive here row by row)."""
        table = self._by_descriptor[doc["descriptor"]]
        data: dict[str, Any] = doc["data"]
        row = [doc["time"], doc["seq_num"], *(_cell(data.get(k)) for k in table.columns.keys)]
        table.writer.writerow(row)

    def finish(self) -> None:
        """Flush and close every stream's file."""
        tables, self._tables = list(self._tables.values()), {}
        errors = []
        for table in tables:
            try:
                close_file(table.file, fsync=self._fsync)
            except OSError as error:
                errors.append(error)
        if errors:
            raise errors[0]


def _cell(value: Any) -> Any:
    return "" if value is None else plain(value)

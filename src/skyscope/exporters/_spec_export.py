"""SPEC files: the text format of certified.com's SPEC, read by PyMca, silx and most beamlines.

One file per run, ``<stem>.spec``: a file header (``#F``, ``#E``, ``#D``, ``#C``), then one
scan per stream (``#S <scan number> <plan name> <plan args>``, its date, ``#N`` columns and
``#L`` labels), and one row of scalar readings per event. The primary stream is scan
``<scan_id>``; other streams follow as further scans, each labelled with its stream name in
``#C`` comments. Arrays and external data are left out (``skipped`` says which and why).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import IO, Any

from skyscope.documents import Event, EventDescriptor, RunStart, RunStop

from ._columns import StreamColumns, plain, stream_columns
from ._document_exporter import DocumentExporter, RunOutput, close_file


class SpecExporter(DocumentExporter):
    """Writes each run to ``<stem>.spec``, one SPEC scan per stream of scalar readings."""

    suffix = ".spec"

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
        return _SpecRun(self.directory / f"{stem}{self.suffix}", self.fsync, self.skipped)


class _SpecRun(RunOutput):
    """One run's SPEC file: the header at the start, a scan at each stream's first descriptor."""

    def __init__(self, path: Path, fsync: bool, skipped: dict[str, dict[str, str]]) -> None:
        super().__init__()
        self._file: IO[str] = open(path, "x", encoding="utf-8")  # noqa: SIM115 (closed in finish)
        self._fsync, self._skipped = fsync, skipped
        self._columns: dict[str, StreamColumns] = {}
        self._scan_number = 0
        self._plan = ""
        self.paths.append(path)

    def start(self, doc: RunStart) -> None:
        """Write the file header: its name, epoch, date and the run's metadata as comments."""
        when = doc["time"]
        scan_id = doc.get("scan_id")
        self._scan_number = scan_id if isinstance(scan_id, int) and scan_id > 0 else 1
        self._plan = f"{doc.get('plan_name', 'run')} {_plan_args(doc)}".strip()
        self._write(f"#F {self.paths[0].name}", f"#E {int(when)}", f"#D {_date(when)}")
        self._write(f"#C skyscope run {doc['uid']}")
        metadata: dict[str, Any] = dict(doc)
        for key in ("sample", "purpose", "operator"):
            if key in metadata:
                self._write(f"#C {key} = {metadata[key]}")
        self._write("")

    def descriptor(self, doc: EventDescriptor) -> None:
        """Begin a scan for a new stream (the same stream again keeps its scan)."""
        columns = stream_columns(doc, arrays=False)
        self._skipped.setdefault(columns.stream, {}).update(columns.skipped)
        if any(known.stream == columns.stream for known in self._columns.values()):
            self._columns[doc["uid"]] = columns
            return
        number = self._scan_number + len({c.stream for c in self._columns.values()})
        self._columns[doc["uid"]] = columns
        labels = ["Epoch", "seq_num", *columns.keys]
        self._write(
            "",
            f"#S {number} {self._plan}",
            f"#D {_date(doc.get('time', time.time()))}",
            f"#C stream {columns.stream}",
            f"#N {len(labels)}",
            "#L " + "  ".join(label.replace("  ", " ") for label in labels),
        )

    def event(self, doc: Event) -> None:
        """Write one row: the event's time, its seq_num and the scalar readings."""
        columns = self._columns[doc["descriptor"]]
        data: dict[str, Any] = doc["data"]
        values = [doc["time"], doc["seq_num"], *(_number(data.get(k)) for k in columns.keys)]
        self._write(" ".join(repr(float(v)) if isinstance(v, float) else str(v) for v in values))

    def stop(self, doc: RunStop) -> None:
        """Note how the run ended."""
        reason = f" ({doc['reason']})" if doc.get("reason") else ""
        self._write(f"#C run ended: {doc.get('exit_status', 'unknown')}{reason}")

    def finish(self) -> None:
        """Flush and close the file."""
        close_file(self._file, fsync=self._fsync)

    def _write(self, *lines: str) -> None:
        self._file.write("".join(f"{line}\n" for line in lines))


def _number(value: Any) -> float | int:
    """A SPEC cell: numbers as they are, booleans as 0/1, anything else (missing) as NaN."""
    value = plain(value)
    if isinstance(value, bool):
        return int(value)
    return value if isinstance(value, int | float) else float("nan")


def _plan_args(start: RunStart) -> str:
    """The plan's arguments in one line, as SPEC shows a scan command."""
    args = start.get("plan_args")
    if not isinstance(args, dict):
        return ""
    words = (f"{key}={value}" for key, value in args.items() if not isinstance(value, dict))
    return " ".join(words).replace("\n", " ")


def _date(epoch: float) -> str:
    """SPEC's ``#D`` date: ``Thu Dec 03 20:15:00 2026``."""
    return time.strftime("%a %b %d %H:%M:%S %Y", time.localtime(epoch))

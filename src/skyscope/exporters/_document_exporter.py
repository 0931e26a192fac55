"""The shared half of the document exporters: route each document to its run's output files.

An exporter is a ``(name, doc)`` callable (an engine subscriber, or fed stored documents). A
``start`` document opens one ``RunOutput`` (one set of files named from the run); every later
document of that run goes to it, found through the uid it points at (``run_start``,
``descriptor``, ``stream_resource``, ``resource``). The ``stop`` document flushes and closes the
run's files, whatever the run's exit status; ``close()`` does the same for runs never stopped.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any, ClassVar

from skyscope.documents import DocumentRouter, RunStart

Document = Mapping[str, Any]
"""A document as exporters receive it (a plain dict)."""

_PARENT_KEYS = {
    "stop": ("run_start",),
    "descriptor": ("run_start",),
    "resource": ("run_start",),
    "stream_resource": ("run_start",),
    "event": ("descriptor",),
    "event_page": ("descriptor",),
    "stream_datum": ("descriptor", "stream_resource"),
    "datum": ("resource",),
    "datum_page": ("resource",),
}
"""Where each kind of document names the document it belongs under, most specific first."""

_OWNED_UID = {"descriptor": "uid", "stream_resource": "uid", "resource": "uid"}
"""Documents that later documents point at, and the field holding their uid."""


class RunOutput(DocumentRouter):
    """One run's files: receives that run's documents in order (a ``DocumentRouter``).

    ``finish`` writes whatever is buffered and closes the files; it is called once, at the stop
    document or when the exporter closes.
    """

    def __init__(self) -> None:
        self.paths: list[Path] = []

    def finish(self) -> None:
        """Flush and close this run's files (they stay readable)."""


class DocumentExporter(ABC):
    """A ``(name, doc)`` callable writing one set of files per run into ``directory``.

    ``file_stem`` names a run's files: a ``str.format`` template filled from the start
    document, e.g. ``"{scan_id}-{uid:.8}"`` (the default when the run has a scan id; ``"{uid}"``
    otherwise). Existing files are never overwritten. ``fsync`` pushes a run's files to the
    disk when they are closed.
    """

    prefers_thread: ClassVar[bool] = True
    """Writing files blocks: ``engine.subscribe(exporter)`` runs it on its own thread."""

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        file_stem: str | None = None,
        fsync: bool = True,
    ) -> None:
        self.directory = Path(directory)
        self.fsync = fsync
        self._file_stem = file_stem
        self._runs: dict[str, RunOutput] = {}
        self._owner: dict[str, str] = {}
        self._owned: dict[str, list[str]] = {}
        self._files: dict[str, list[Path]] = {}

    @property
    def files(self) -> dict[str, list[Path]]:
        """Return the files written so far, per run start uid."""
        return {uid: list(paths) for uid, paths in self._files.items()}

    @property
    def paths(self) -> list[Path]:
        """Return every file written so far, all runs together."""
        return [path for paths in self._files.values() for path in paths]

    @property
    def open_runs(self) -> list[str]:
        """Return the start uids of runs whose stop document has not arrived."""
        return list(self._runs)

    def __call__(self, name: str, doc: Document) -> None:
        """Export one document: a start opens the run's files, its stop closes them."""
        if name == "start":
            self._start(doc)
            return
        run_uid = self._run_of(name, doc)
        output = self._runs[run_uid]
        if name in _OWNED_UID:
            self._owner[doc[_OWNED_UID[name]]] = run_uid
            self._owned[run_uid].append(doc[_OWNED_UID[name]])
        if name == "stop":
            self._finish(run_uid, output, doc)
            return
        output(name, doc)

    def export(self, documents: Iterable[tuple[str, Document]]) -> list[Path]:
        """Export stored documents (one run or several), close, and return the files written."""
        try:
            for name, doc in documents:
                self(name, doc)
        finally:
            self.close()
        return self.paths

    def close(self) -> None:
        """Flush and close the files of every run not yet stopped (e.g. the engine died)."""
        errors: list[BaseException] = []
        for run_uid, output in list(self._runs.items()):
            try:
                self._finish(run_uid, output, None)
            except Exception as error:  # finish the other runs' files first
                errors.append(error)
        if errors:
            raise errors[0]

    def __enter__(self) -> DocumentExporter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @abstractmethod
    def _open_run(self, start: RunStart, stem: str) -> RunOutput:
        """Create the run's files (``self.directory / stem`` + suffixes) and return its output."""

    def _start(self, doc: Document) -> None:
        uid = doc.get("uid")
        if not isinstance(uid, str) or not uid:
            raise ValueError(f"a start document needs a uid, got {uid!r}")
        if uid in self._runs:
            raise ValueError(f"run {uid} started twice: its start document arrived again")
        stem = run_file_stem(doc, self._file_stem)
        self.directory.mkdir(parents=True, exist_ok=True)
        output = self._open_run(doc, stem)  # type: ignore[arg-type]
        self._runs[uid], self._owned[uid], self._files[uid] = output, [], output.paths
        output("start", doc)

    def _finish(self, run_uid: str, output: RunOutput, stop: Document | None) -> None:
        """Hand the run its stop (if any) and close its files, even if the stop fails."""
        del self._runs[run_uid]
        for uid in self._owned.pop(run_uid, []):
            self._owner.pop(uid, None)
        try:
            if stop is not None:
                output("stop", stop)
        finally:
            output.finish()

    def _run_of(self, name: str, doc: Document) -> str:
        """Return the start uid of the run ``doc`` belongs to, or explain why none fits."""
        keys = _PARENT_KEYS.get(name)
        if keys is None:
            raise ValueError(f"{name!r} is not a document kind an exporter knows")
        for key in keys:
            parent = doc.get(key)
            if parent in self._runs:
                return str(parent)
            if parent in self._owner:
                return self._owner[parent]
        if keys == ("run_start",) and "run_start" not in doc and len(self._runs) == 1:
            return next(iter(self._runs))  # a detector's resource not yet stamped by an engine
        pointers = ", ".join(f"{key}={doc.get(key)!r}" for key in keys)
        raise ValueError(
            f"{name} document ({pointers}) belongs to no run this exporter saw the start of"
        )


def run_file_stem(start: Document, template: str | None) -> str:
    """Return the file name stem of a run: ``template`` filled from its start document."""
    if template is None:
        template = "{scan_id}-{uid:.8}" if "scan_id" in start else "{uid}"
    try:
        stem = template.format_map(start)
    except (KeyError, IndexError, ValueError, AttributeError) as error:
        raise ValueError(
            f"file_stem {template!r} does not fit the start document of run "
            f"{start.get('uid')}: {type(error).__name__}: {error}"
        ) from error
    if not stem or stem in (".", "..") or "/" in stem or os.sep in stem:
        raise ValueError(f"file_stem {template!r} gives {stem!r}, which is not a file name")
    return stem


def fsync_path(path: Path) -> None:
    """Push a closed file to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def close_file(file: IO[Any], *, fsync: bool) -> None:
    """Flush ``file``, optionally push it to the disk, and close it (closing even on error)."""
    try:
        file.flush()
        if fsync:
            os.fsync(file.fileno())
    finally:
        file.close()

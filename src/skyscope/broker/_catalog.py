"""The catalog of runs: ingest documents (live or after the fact), search, and open runs."""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import weakref
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from skyscope import _paths

from ._backend import open_backend
from ._errors import AmbiguousUID, CatalogError, DocumentError, RunNotFound
from ._health import Health, check_health
from ._live import LiveIngest
from ._query import And, Query
from ._recovery import Recovery, pending_journals, recover
from ._run import Run
from ._run_queries import PartialUID, ScanID
from ._select import Condition, older_than, select_runs
from ._store import Store

logger = logging.getLogger(__name__)

# Runs fetched per query while iterating, and partial-uid matches named in an error.
PAGE_SIZE = 500
_SHOWN_MATCHES = 5
# How long a read waits for this catalog's own live documents to be committed.
READ_WAIT_S = 2.0
# How long close() waits for live documents to be committed (the rest stay journaled).
CLOSE_WAIT_S = 30.0

_OPEN: weakref.WeakSet[Catalog] = weakref.WeakSet()


@atexit.register
def _close_open_catalogs() -> None:
    """Commit what open catalogs still hold when the interpreter exits."""
    for catalog in list(_OPEN):
        with contextlib.suppress(CatalogError):
            catalog.close()


class Catalog:
    """An indexed catalog of runs in an SQLite file or a PostgreSQL database, one API.

    ``Catalog()`` is the user data dir's file; ``Catalog("postgresql://user@host:port/db")``
    a database server.
    Call it with ``(name, doc)`` to ingest live (``engine.subscribe(catalog)``); ``search``
    narrows it; ``catalog[-1]``, ``catalog[uid]``, ``catalog[scan_id]`` open runs; iteration
    gives runs newest first.
    """

    prefers_thread = True
    """Subscribed to an engine, the catalog runs on a worker thread, never on the event loop."""

    def __init__(
        self, path: str | Path | None = None, *, readonly: bool = False, recover: bool = True
    ) -> None:
        """Open the catalog file at ``path`` (default: the user data dir's) or database URL.

        A writable catalog is created if missing (a PostgreSQL database must exist; its
        tables are created), and first replays the journals of writers that died
        (``recover=False`` leaves them for ``skyscope catalog recover``). A ``readonly``
        catalog never creates or changes anything: a missing file is an error.
        """
        backend = open_backend(path if path is not None else _paths.catalog_path())
        self._store = Store(backend, readonly)
        self._queries: tuple[Query, ...] = ()
        self._live: LiveIngest | None = None
        self.recovery = Recovery()
        if not readonly:
            self._live = LiveIngest(backend, self._stored_run)
            self._store.before_read = lambda: (
                self._live and self._live.wait_committed(timeout=READ_WAIT_S)
            )
            if recover:
                self.recovery = self.recover()
            # a catalog dropped without close() still commits what it accepted
            weakref.finalize(self, self._live.close, CLOSE_WAIT_S)
        _OPEN.add(self)

    @classmethod
    def _view(cls, parent: Catalog, queries: tuple[Query, ...]) -> Catalog:
        """A catalog sharing ``parent``'s file and writer, restricted by ``queries``."""
        view = cls.__new__(cls)
        view._store, view._live, view._queries = parent._store, parent._live, queries
        view.recovery = parent.recovery
        return view

    @property
    def path(self) -> Path:
        """The catalog's SQLite file (a PostgreSQL catalog has none: see :attr:`location`)."""
        return self._store.path

    @property
    def location(self) -> str:
        """Where the catalog is: its file, or its database URL (without a password)."""
        return self._store.location

    @property
    def journal_folder(self) -> Path:
        """Where live runs are journaled before being committed (always on this machine)."""
        return self._store.backend.journal_folder

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._store.dialect.name

    @property
    def queries(self) -> tuple[Query, ...]:
        """The queries this view is restricted by (empty for the whole catalog)."""
        return self._queries

    def __repr__(self) -> str:
        """The file and how the view is narrowed."""
        narrowed = f" where {' & '.join(map(repr, self._queries))}" if self._queries else ""
        return f"<Catalog {self.location}{narrowed}>"

    # --- writing -------------------------------------------------------------------------

    def __call__(self, name: str, doc: Mapping[str, Any]) -> None:
        """Ingest one document as it is emitted (the engine's subscriber).

        The document is checked (a bad one raises :class:`DocumentError`) and journaled before
        this returns, then committed by the catalog's writer thread, usually within
        milliseconds, so readers see a live run grow. After a stop document the call waits
        (off the event loop) until the run is committed, and raises
        :class:`CatalogWriteError` if the catalog could not store it in time or had to retry.
        """
        self.accept(name, doc)

    def accept(self, name: str, doc: Mapping[str, Any]) -> int:
        """Like calling the catalog, but return the document's sequence number.

        ``wait_committed(seq)`` then says when it is in the tables, so a consumer of a
        message bus can acknowledge a message only once it is stored.
        """
        return self._writable().accept(name, doc)

    def wait_committed(self, seq: int | None = None, timeout: float | None = None) -> bool:
        """Wait until document ``seq`` (default: every one accepted) is committed."""
        return self._live.wait_committed(seq, timeout) if self._live is not None else True

    def ingest(self, documents: Iterable[tuple[str, Mapping[str, Any]]]) -> int:
        """Check and ingest ``(name, doc)`` pairs after the fact; return how many were read.

        Replaying documents already stored changes nothing. A document that cannot be stored
        raises :class:`DocumentError` naming it and the field.
        """
        return self._store.add_bulk(documents)

    def ingest_jsonl(self, path: str | Path) -> int:
        """Ingest a JSON-lines file of ``[name, doc]`` (or ``{"name", "doc"}``) lines."""
        return self.ingest(_read_jsonl(Path(path)))

    def ingest_catalog(self, other: Catalog) -> int:
        """Copy every run of ``other`` (or of a search of it) into this catalog."""
        return self.ingest(doc for run in other for doc in run.documents())

    def flush(self, timeout: float | None = CLOSE_WAIT_S) -> bool:
        """Wait until every live document accepted so far is committed (False: timed out)."""
        return self.wait_committed(timeout=timeout)

    @property
    def pending(self) -> int:
        """Live documents accepted (journaled) but not yet committed."""
        return self._live.pending if self._live is not None else 0

    def recover(self) -> Recovery:
        """Replay the journals of writers that died; say what was recovered."""
        report = recover(self._store, self._store.backend.journal_folder)
        if report.runs:
            logger.warning("%s: %s", self.location, report.describe())
        return report

    def check_journals(self) -> list[Path]:
        """Journals of writers that died, waiting to be replayed into this catalog."""
        return pending_journals(self._store.backend.journal_folder)

    def check(self) -> Health:
        """Check the file's integrity and say what waits: journals, unfinished runs."""
        return check_health(self._store, self.check_journals())

    def close(self) -> None:
        """Commit live documents (waiting up to 30 s) and close the file.

        Documents that could not be committed stay in their journals for the next open. Runs
        this catalog was writing live that have no stop become incomplete.
        """
        if self._live is not None:
            self._live.close(CLOSE_WAIT_S)
        self._store.close()

    def _writable(self) -> LiveIngest:
        if self._live is None:
            raise CatalogError(f"the catalog {self.location} was opened read-only")
        if self._store.closed:
            raise CatalogError(f"the catalog {self.location} is closed")
        return self._live

    def _stored_run(self, table: str, uid: str) -> str | None:
        """The run uid of a stored row (a lineage lookup for the live door)."""
        column = "uid" if table == "runs" else "run_uid"
        sql = f"SELECT {column} FROM {table} WHERE uid = ?"
        rows = self._store.query(sql, (uid,), wait=False)
        return None if not rows or rows[0][0] is None else str(rows[0][0])

    def __enter__(self) -> Catalog:
        """Use as a context manager that closes the catalog."""
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close on leaving the block."""
        self.close()

    # --- searching -----------------------------------------------------------------------

    def search(self, query: Query) -> Catalog:
        """The runs of this catalog that also match ``query``."""
        if not isinstance(query, Query):
            raise TypeError(f"search() takes a query (Key, FullText, ...), not {query!r}")
        return Catalog._view(self, (*self._queries, query))

    def _runs(
        self, *extra: Query, limit: int = -1, offset: int = 0, many: bool = False
    ) -> list[Run]:
        """Runs of this view that also match ``extra``, newest first."""
        queries = (*self._queries, *extra)
        query = And(queries) if queries else None
        rows = select_runs(self._store, query, limit, offset, many=many)
        return [Run(self._store, row) for row in rows]

    def __len__(self) -> int:
        """How many runs match."""
        if not self._queries:
            return int(self._store.query("SELECT count(*) FROM runs")[0][0])
        ids, params = And(self._queries).ids_sql(self._store.dialect)
        sql = f"SELECT count(*) FROM ({ids}) AS matching"
        return int(self._store.query(sql, params)[0][0])

    def __iter__(self) -> Iterator[Run]:
        """Runs, newest first (fetched a page at a time)."""
        page = self._runs(limit=PAGE_SIZE)
        while page:
            yield from page
            # a full first page means many matches: later pages walk the time index at once
            page = self._runs(older_than(page[-1].position), limit=PAGE_SIZE, many=True)

    def keys(self) -> Iterator[str]:
        """Run uids, newest first."""
        return (run.uid for run in self)

    def values(self) -> Iterator[Run]:
        """Runs, newest first."""
        return iter(self)

    def items(self) -> Iterator[tuple[str, Run]]:
        """``(uid, run)`` pairs, newest first."""
        return ((run.uid, run) for run in self)

    def head(self, n: int = 10) -> list[Run]:
        """The ``n`` newest runs."""
        return self._runs(limit=n)

    def __contains__(self, key: object) -> bool:
        """Is there a run with this uid, uid prefix, scan id or index?"""
        try:
            self[key]  # type: ignore[index]
        except (RunNotFound, TypeError):
            return False
        return True

    def __getitem__(self, key: int | str) -> Run:
        """Open a run: ``-1`` newest, ``-2`` the one before, and so on.

        A positive int is a scan id (the newest run with it); a string is a uid or a unique
        uid prefix.
        """
        if isinstance(key, bool) or not isinstance(key, int | str):
            raise TypeError(f"runs are looked up by uid, uid prefix, scan id or -N, not {key!r}")
        if isinstance(key, int):
            return self._by_index(key) if key < 0 else self._by_scan_id(key)
        return self._by_uid(key)

    def _by_index(self, index: int) -> Run:
        """The ``-index``-th newest run."""
        found = self._runs(limit=1, offset=-index - 1)
        if not found:
            raise RunNotFound(f"catalog[{index}]: the catalog has only {len(self)} runs")
        return found[0]

    def _by_scan_id(self, scan_id: int) -> Run:
        """The newest run with this scan id."""
        found = self._runs(ScanID(scan_id), limit=1)
        if not found:
            raise RunNotFound(f"no run with scan_id {scan_id} in {self._described()}")
        return found[0]

    def _by_uid(self, uid: str) -> Run:
        """The run with this uid, or the only run whose uid starts with it."""
        if not uid:
            raise RunNotFound("an empty string is not a run uid")
        exact = self._runs(Condition("r.uid = ?", (uid,)), limit=1)
        if exact:
            return exact[0]
        matches = self._runs(PartialUID(uid), limit=_SHOWN_MATCHES + 1)
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise RunNotFound(f"no run with uid or uid prefix {uid!r} in {self._described()}")
        shown = ", ".join(run.uid for run in matches[:_SHOWN_MATCHES])
        more = " and more" if len(matches) > _SHOWN_MATCHES else ""
        raise AmbiguousUID(
            f"partial uid {uid!r} matches several runs ({shown}{more}); give more characters"
        )

    def _described(self) -> str:
        """'the catalog <path>' or 'this search of …', for error messages."""
        where = self.location
        return f"this search of {where}" if self._queries else f"the catalog {where}"


def _read_jsonl(path: Path) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """``(name, doc)`` from each non-empty line of a JSON-lines file."""
    if not path.is_file():
        raise DocumentError(f"no such JSON-lines file: {path}")
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as error:
                raise DocumentError(f"{path}:{number}: not JSON: {error}") from None
            yield _name_and_doc(item, f"{path}:{number}")


def _name_and_doc(item: Any, where: str) -> tuple[str, Mapping[str, Any]]:
    """Accept ``[name, doc]`` or ``{"name": ..., "doc": ...}``."""
    if isinstance(item, dict) and "name" in item and "doc" in item:
        item = [item["name"], item["doc"]]
    if isinstance(item, list) and len(item) == 2 and isinstance(item[0], str | dict):
        name, doc = item
        if isinstance(name, str) and isinstance(doc, dict):
            return name, doc
    raise DocumentError(f"{where}: expected [name, doc] or {{'name', 'doc'}}, got {item!r:.100}")

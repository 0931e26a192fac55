"""Where a catalog lives: an SQLite file, or a PostgreSQL database named by a URL.

A backend opens connections, names the catalog in messages, says which driver errors mean
"could not read or write", checks integrity, and places the live writer's journals (always on
this machine: a PostgreSQL catalog's journals live in the skyscope data directory).
Everything above it (ingest, queries, runs) is the same SQL through the backend's dialect.
"""

from __future__ import annotations

import re
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from skyscope import _paths

from ._connection import damaged, open_connection
from ._dialect import POSTGRESQL, SQLITE, Dialect
from ._errors import CatalogDamaged, CatalogError
from ._fulltext import to_tsvector
from ._journal import journal_folder
from ._schema import EXPECTED_TABLES

URL_SCHEMES = ("postgresql://", "postgres://")


class Cursor(Protocol):
    """What the catalog reads from a statement's result."""

    @property
    def rowcount(self) -> int:
        """Rows the statement changed."""

    def fetchone(self) -> Any:
        """The next row, or None."""

    def fetchall(self) -> list[Any]:
        """Every remaining row."""


class Connection(Protocol):
    """The calls the catalog makes on a connection (sqlite3's, or :class:`PgConnection`)."""

    def execute(self, sql: str, params: Sequence[Any] = ..., /) -> Cursor:
        """Run one statement."""

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]], /) -> object:
        """Run one statement per row."""

    @property
    def in_transaction(self) -> bool:
        """Is a transaction open?"""

    def close(self) -> None:
        """Close it."""


class Backend(ABC):
    """One catalog's database: how to connect, and how to speak of it."""

    dialect: Dialect
    location: str
    """The file or (password-free) URL, for messages."""
    journal_folder: Path
    """Where the live writer journals runs before committing them."""
    path: Path | None = None
    """The SQLite file (None for a server database)."""
    fulltext_insert: str
    """Adds a run's words to the full-text index."""

    @property
    @abstractmethod
    def errors(self) -> tuple[type[Exception], ...]:
        """The driver's errors for a statement that could not run."""

    @abstractmethod
    def connect(self, readonly: bool = False) -> Connection:
        """A new connection, the schema created (unless ``readonly``) and checked."""

    @abstractmethod
    def read_error(self, error: Exception) -> CatalogError | None:
        """The one-line error for a failed read (None: let it through as a bug)."""

    @abstractmethod
    def integrity_problems(self, connection: Connection) -> list[str]:
        """Damage the database itself reports (empty when whole)."""

    @abstractmethod
    def fulltext_row(self, run_id: int, text: str) -> tuple[object, ...]:
        """The parameters of :attr:`fulltext_insert` for one run's words."""


class SqliteBackend(Backend):
    """A catalog in one SQLite file (WAL), journals in a folder beside it."""

    dialect = SQLITE
    fulltext_insert = "INSERT INTO runs_fts (rowid, text) VALUES (?, ?)"

    def __init__(self, path: Path) -> None:
        """The catalog file at ``path``."""
        self.path = path
        self.location = str(path)
        self.journal_folder = journal_folder(path)

    @property
    def errors(self) -> tuple[type[Exception], ...]:
        """sqlite3's errors."""
        return (sqlite3.Error,)

    def connect(self, readonly: bool = False) -> Connection:
        """Open the file (see :func:`open_connection`)."""
        assert self.path is not None
        return open_connection(self.path, readonly)

    def read_error(self, error: Exception) -> CatalogError | None:
        """A damaged file or a lock that never freed; other errors are the query's own."""
        if isinstance(error, sqlite3.OperationalError) and "locked" not in str(error):
            return None
        assert self.path is not None
        assert isinstance(error, sqlite3.Error)
        return damaged(self.path, error)

    def integrity_problems(self, connection: Connection) -> list[str]:
        """SQLite's own integrity check."""
        try:
            found = [str(row[0]) for row in connection.execute("PRAGMA integrity_check").fetchall()]
        except sqlite3.DatabaseError as error:
            assert self.path is not None
            return [str(damaged(self.path, error))]
        return [] if found == ["ok"] else found[:20]

    def fulltext_row(self, run_id: int, text: str) -> tuple[object, ...]:
        """FTS5 tokenizes the text itself."""
        return (run_id, text)


class PostgresBackend(Backend):
    """A catalog in a PostgreSQL database; journals in this machine's skyscope data dir."""

    dialect = POSTGRESQL
    fulltext_insert = "INSERT INTO runs_fts (rowid, text) VALUES (?, CAST(? AS tsvector))"

    def __init__(self, url: str) -> None:
        """The database at ``url`` (``postgresql://user@host:port/db``)."""
        from ._postgres import redacted

        self.url = url
        self.location = redacted(url)
        self.journal_folder = _paths.data_dir() / "journals" / _slug(self.location)

    @property
    def errors(self) -> tuple[type[Exception], ...]:
        """The errors of psycopg (the PostgreSQL driver)."""
        import psycopg

        return (psycopg.Error,)

    def connect(self, readonly: bool = False) -> Connection:
        """Connect, and create the tables unless ``readonly`` (which needs them there)."""
        import psycopg

        from ._postgres import one_line, open_postgres
        from ._schema import create_schema, stored_version

        connection = open_postgres(self.url, readonly)
        try:
            if readonly:
                if stored_version(connection, self.dialect) is None:
                    raise CatalogError(
                        f"no catalog in {self.location} (it holds no catalog tables)"
                    )
            else:
                create_schema(connection, self.dialect)
        except (psycopg.Error, sqlite3.DatabaseError) as error:
            connection.close()
            raise CatalogDamaged(
                f"cannot use the catalog {self.location}: {one_line(error)}"
            ) from None
        except BaseException:
            connection.close()
            raise
        return connection

    def read_error(self, error: Exception) -> CatalogError | None:
        """Every driver error becomes one line naming the database."""
        from ._postgres import one_line

        return CatalogError(f"could not read the catalog {self.location}: {one_line(error)}")

    def integrity_problems(self, connection: Connection) -> list[str]:
        """Tables missing from the database (the server keeps its own pages whole)."""
        rows = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        ).fetchall()
        present = {name for (name,) in rows}
        return [f"table {name} is missing" for name in EXPECTED_TABLES if name not in present]

    def fulltext_row(self, run_id: int, text: str) -> tuple[object, ...]:
        """Words cut as FTS5 cuts them, as a literal tsvector."""
        return (run_id, to_tsvector(text))


def open_backend(location: str | Path) -> Backend:
    """The backend a catalog location names: a ``postgresql://`` URL or a file path."""
    if isinstance(location, str) and location.startswith(URL_SCHEMES):
        return PostgresBackend(location)
    return SqliteBackend(Path(location))


def is_url(location: str | Path | None) -> bool:
    """Does ``location`` name a database server rather than a file?"""
    return isinstance(location, str) and location.startswith(URL_SCHEMES)


def _slug(text: str) -> str:
    """A folder name for a URL."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")

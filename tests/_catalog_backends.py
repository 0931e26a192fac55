"""Fixtures that run a catalog test on each backend: an SQLite file and a PostgreSQL database.

``catalog_location`` is a fresh catalog's location (a file path, or the URL of a new database on
a throwaway server started once per session); ``new_catalog()`` makes more. Tests that only make
sense for an SQLite file (WAL, file permissions, locks) take ``tmp_path`` instead and say so.
Conftests import these fixtures by name.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from _system import require_program

BACKENDS = ("sqlite", "postgresql")
POSTGRES_BINARY = "/usr/lib/postgresql/15/bin/postgres"


@pytest.fixture(scope="session")
def postgres() -> Iterator[object]:
    """A PostgreSQL server for the session (skips locally when PostgreSQL is missing)."""
    binary = require_program("postgres", POSTGRES_BINARY)
    from _postgres import PostgresServer  # psycopg is needed only when PostgreSQL is

    server = PostgresServer(binary)
    try:
        server.start()
        server.make_template()
        yield server
    finally:
        server.remove()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The backend the test runs on."""
    return str(request.param)


@pytest.fixture(scope="session")
def new_catalog(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[], str]:
    """Make a fresh, empty catalog location on the test's backend."""
    if backend == "sqlite":
        folder = tmp_path_factory.mktemp("catalogs")
        names = iter(range(1_000_000))
        return lambda: str(folder / f"catalog{next(names)}.sqlite")
    server = request.getfixturevalue("postgres")
    return server.fresh_database  # type: ignore[no-any-return]


@pytest.fixture
def catalog_location(new_catalog: Callable[[], str]) -> str:
    """A fresh catalog's location: an SQLite file path or a PostgreSQL URL."""
    return new_catalog()


def row_counts(location: str | Path, tables: tuple[str, ...]) -> dict[str, int]:
    """How many rows each table holds, read straight from the database."""
    if str(location).startswith("postgresql://"):
        import psycopg

        with psycopg.connect(str(location)) as db:
            counts = {
                t: db.execute(f"SELECT count(*) FROM {t}".encode()).fetchone() for t in tables
            }
            return {t: int(row[0]) for t, row in counts.items() if row is not None}
    with sqlite3.connect(location) as db:
        return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}

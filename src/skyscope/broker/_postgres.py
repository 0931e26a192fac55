"""A PostgreSQL connection (psycopg 3) that speaks like the catalog's SQLite connection.

The catalog's statements are written once with ``?`` placeholders; this connection turns them
into psycopg's ``%s`` (cached per statement) and offers the few calls the catalog makes
(``execute``, ``executemany``, ``in_transaction``, ``close``). Autocommit mode, like the
SQLite side: reads see every committed write, writers open their own transactions. A
connection lost (a server restart) is opened again on the next statement outside a
transaction, so the live writer's retries succeed once the server is back.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any

import psycopg
from psycopg import pq

from ._errors import CatalogError

# How long opening a connection may take before it counts as a failure (and is retried).
CONNECT_TIMEOUT_S = 10


@functools.lru_cache(maxsize=1024)
def pg_sql(sql: str) -> str:
    """``sql`` with psycopg placeholders (``?`` to ``%s``; a literal ``%`` doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


class PgConnection:
    """One psycopg connection behind the catalog's connection interface."""

    def __init__(self, url: str, readonly: bool = False) -> None:
        """Connect to ``url`` (a read-only session when ``readonly``)."""
        self.url = url
        self.readonly = readonly
        self._connection = self._open()

    def _open(self) -> psycopg.Connection[Any]:
        options = "-c default_transaction_read_only=on" if self.readonly else None
        return psycopg.connect(
            self.url,
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT_S,
            options=options,
            application_name="skyscope-catalog",
        )

    def _live(self) -> psycopg.Connection[Any]:
        """The connection, opened again if the server dropped it (never inside a transaction)."""
        if self._connection.closed or self._connection.broken:
            self._connection = self._open()
        return self._connection

    def execute(self, sql: str, params: Sequence[object] = ()) -> psycopg.Cursor[Any]:
        """Run one statement; the cursor gives ``rowcount``, ``fetchone`` and ``fetchall``.

        A connection found dead by a statement outside a transaction (the server restarted
        since the last one) is opened again and the statement run once more on it.
        """
        statement, values = pg_sql(sql), tuple(params) or None
        was_in_transaction = self.in_transaction
        try:
            return self._live().execute(statement, values)
        except psycopg.OperationalError:
            if was_in_transaction or not self._connection.broken:
                raise
        return self._live().execute(statement, values)

    def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        """Run one statement per row (pipelined by psycopg)."""
        batch = list(rows)
        if batch:
            with self._live().cursor() as cursor:
                cursor.executemany(pg_sql(sql), batch)

    @property
    def in_transaction(self) -> bool:
        """Is a transaction open (so a failure must be rolled back)?"""
        if self._connection.closed:
            return False
        return self._connection.info.transaction_status != pq.TransactionStatus.IDLE

    def rollback(self) -> None:
        """End a failed transaction; a dead connection is simply dropped."""
        try:
            self._connection.execute("ROLLBACK")
        except psycopg.Error:
            self._connection.close()

    def close(self) -> None:
        """Close the connection."""
        self._connection.close()


def open_postgres(url: str, readonly: bool = False) -> PgConnection:
    """Connect to the catalog database at ``url``; a failure is one line naming it."""
    try:
        return PgConnection(url, readonly)
    except psycopg.Error as error:
        raise CatalogError(f"cannot open the catalog {redacted(url)}: {one_line(error)}") from None


def redacted(url: str) -> str:
    """``url`` without its password, for messages."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return url
    if "password" not in info:
        return url
    return url.replace(str(info["password"]), "***")


def one_line(error: BaseException) -> str:
    """The first line of a driver's message."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__

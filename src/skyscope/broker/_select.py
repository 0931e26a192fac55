"""Fetch a view's runs newest first, choosing the faster plan for how many runs match.

SQLite cannot know how selective a query is. When few runs match, the fastest plan looks them up
through the key index and sorts only those; when many match, it walks the start-time index
newest first and tests each run, stopping once a page is full. A capped probe of the matching
ids (from the indexes alone) decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._query import SQLITE, Dialect, Query, Sql, SqlValue
from ._run import RUN_COLUMNS
from ._store import Store

# Up to this many matches are sorted; beyond it the time index is walked instead.
PROBE_ROWS = 500
NEWEST_FIRST = "ORDER BY r.time DESC, r.id DESC"


@dataclass(frozen=True)
class Condition(Query):
    """A literal SQL condition on ``runs r`` (for lookups the catalog itself makes)."""

    text: str
    params: tuple[SqlValue, ...] = ()

    def sql(self, dialect: Dialect = SQLITE) -> Sql:
        """The condition as given."""
        return self.text, self.params


def older_than(position: tuple[float, int]) -> Condition:
    """Runs after (older than) the run at ``position`` = (time, id): keyset pagination."""
    time, run_id = position
    # "time <= ?" alone lets the time index start the walk where the last page ended
    return Condition("r.time <= ? AND (r.time < ? OR r.id < ?)", (time, time, run_id))


def select_runs(
    store: Store, query: Query | None, limit: int = -1, offset: int = 0, *, many: bool = False
) -> list[tuple[Any, ...]]:
    """Rows of :data:`RUN_COLUMNS` of the runs matching ``query`` (None: all), newest first.

    ``many=True`` skips the probe when the caller knows many runs match (a later page).
    """
    dialect = store.dialect
    page = (dialect.unlimited if limit < 0 else limit, offset)
    if query is None:
        sql = f"SELECT {RUN_COLUMNS} FROM runs r {NEWEST_FIRST} LIMIT ? OFFSET ?"
        return store.query(sql, page)
    if not dialect.walks_time_index:
        ids, id_params = query.ids_sql(dialect)
        sql = f"SELECT {RUN_COLUMNS} FROM runs r WHERE r.id IN ({ids}) {NEWEST_FIRST}"
        return store.query(f"{sql} LIMIT ? OFFSET ?", (*id_params, *page))
    if not many:
        ids, id_params = query.ids_sql(dialect)
        probe = store.query(f"SELECT * FROM ({ids}) AS matching LIMIT {PROBE_ROWS}", id_params)
        if len(probe) < PROBE_ROWS:
            return _sorted_by_time(store, [run_id for (run_id,) in probe], page)
    where, params = query.sql(dialect)
    hint = dialect.time_index_hint
    sql = f"SELECT {RUN_COLUMNS} FROM runs r {hint} WHERE {where} {NEWEST_FIRST}"
    return store.query(f"{sql} LIMIT ? OFFSET ?", (*params, *page))


def _sorted_by_time(
    store: Store, ids: list[int], page: tuple[int | None, int]
) -> list[tuple[Any, ...]]:
    """The rows of these few runs, newest first."""
    if not ids:
        return []
    marks = ", ".join("?" * len(ids))
    sql = f"SELECT {RUN_COLUMNS} FROM runs r WHERE r.id IN ({marks}) {NEWEST_FIRST}"
    return store.query(f"{sql} LIMIT ? OFFSET ?", (*ids, *page))

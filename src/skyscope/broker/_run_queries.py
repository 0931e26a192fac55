"""Queries on a run as a whole: full-text search, start time, scan id, uid prefix."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from ._errors import QueryError
from ._query import SQLITE, Dialect, Query, Sql
from ._times import TimeLike, to_epoch


@dataclass(frozen=True)
class FullText(Query):
    """Runs whose start-document values match an FTS5 query (``beads``, ``bead*``, ``a OR b``).

    On PostgreSQL the same query is translated to a tsquery over the same words.
    """

    text: str

    def __post_init__(self) -> None:
        """Refuse FTS5 syntax errors now, not at search time."""
        if not isinstance(self.text, str) or not self.text.strip():
            raise QueryError(f"FullText needs some words to look for, not {self.text!r}")
        probe = sqlite3.connect(":memory:")
        try:
            probe.execute("CREATE VIRTUAL TABLE t USING fts5(text)")
            probe.execute("SELECT * FROM t WHERE t MATCH ?", (self.text,)).fetchall()
        except sqlite3.OperationalError as error:
            raise QueryError(
                f"FullText({self.text!r}) is not a valid full-text query: {error}"
            ) from None
        finally:
            probe.close()

    def sql(self, dialect: Dialect = SQLITE) -> Sql:
        """Look the words up in the full-text index beside the runs table."""
        text, params = self.ids_sql(dialect)
        return f"r.id IN ({text})", params

    def ids_sql(self, dialect: Dialect = SQLITE) -> Sql:
        """The ids (index rowids) of the matching runs."""
        return dialect.fulltext_ids(self.text)


@dataclass(frozen=True)
class TimeRange(Query):
    """Runs started at or after ``since`` and before ``until`` (either may be left open)."""

    since: TimeLike | None = None
    until: TimeLike | None = None
    bounds: tuple[float | None, float | None] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Parse both bounds, and refuse an empty or inverted range."""
        if self.since is None and self.until is None:
            raise QueryError("TimeRange needs since, until or both")
        low = None if self.since is None else to_epoch(self.since, "since")
        high = None if self.until is None else to_epoch(self.until, "until")
        if low is not None and high is not None and high <= low:
            raise QueryError(
                f"TimeRange until ({self.until!r}) is not after since ({self.since!r})"
            )
        object.__setattr__(self, "bounds", (low, high))

    def sql(self, dialect: Dialect = SQLITE) -> Sql:
        """A range on the indexed start time."""
        low, high = self.bounds
        if low is None:
            return "r.time < ?", (high,)
        if high is None:
            return "r.time >= ?", (low,)
        return "r.time >= ? AND r.time < ?", (low, high)


@dataclass(frozen=True)
class ScanID(Query):
    """Runs with any of these scan ids."""

    scan_ids: tuple[int, ...]

    def __init__(self, *scan_ids: int) -> None:
        """Check the ids are integers."""
        bad = [s for s in scan_ids if isinstance(s, bool) or not isinstance(s, int)]
        if not scan_ids or bad:
            raise QueryError(f"ScanID takes one or more integers, not {bad or 'nothing'!r}")
        object.__setattr__(self, "scan_ids", tuple(scan_ids))

    def sql(self, dialect: Dialect = SQLITE) -> Sql:
        """An IN-list on the indexed scan_id column."""
        marks = ", ".join("?" * len(self.scan_ids))
        return f"r.scan_id IN ({marks})", self.scan_ids


@dataclass(frozen=True)
class PartialUID(Query):
    """Runs whose uid starts with ``prefix``."""

    prefix: str

    def __post_init__(self) -> None:
        """An empty prefix would match every run; refuse it."""
        if not isinstance(self.prefix, str) or not self.prefix:
            raise QueryError(f"PartialUID needs a non-empty uid prefix, not {self.prefix!r}")

    def sql(self, dialect: Dialect = SQLITE) -> Sql:
        """A range scan on the uid index (portable, unlike LIKE's case rules)."""
        upper = self.prefix[:-1] + chr(ord(self.prefix[-1]) + 1)
        return "r.uid >= ? AND r.uid < ?", (self.prefix, upper)

"""What differs between the catalog's SQL on SQLite and on PostgreSQL, in one small object.

Every statement is written once with ``?`` placeholders; queries ask their dialect for the few
pieces that differ (regular expressions, substrings, full text, exact numbers, an index hint,
"no limit"). The PostgreSQL connection turns ``?`` into ``%s`` itself (see ``_postgres``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ._fulltext import to_tsquery

SqlValue = str | int | float | Decimal | None


@dataclass(frozen=True)
class Dialect:
    """The SQL spelling of one database."""

    name: str
    regexp: str
    """``value_text <regexp> ?``: SQLite's REGEXP (a Python function) or PostgreSQL's ``~``."""
    substring: str
    """A function ``f(text, part)`` > 0 when ``part`` occurs in ``text``."""
    begin: str
    """How a writing transaction starts (SQLite takes the write lock at once)."""
    time_index_hint: str
    """Makes SQLite walk the start-time index; PostgreSQL's planner needs no hint."""
    unlimited: int | None
    """The ``LIMIT ?`` value that means no limit."""
    refresh_statistics: str | None
    """Refreshes the planner's statistics (and PostgreSQL's visibility map, for index-only
    scans of the key table) after a bulk ingest; SQLite's plans do not need it."""
    walks_time_index: bool
    """Page through many matches by walking the start-time index (SQLite); PostgreSQL's planner
    does better with the matching id set (hashed) joined to the runs and sorted."""

    def fulltext_ids(self, text: str) -> tuple[str, tuple[SqlValue, ...]]:
        """A SELECT of the ids of runs whose metadata matches the full-text query ``text``."""
        if self.name == "sqlite":
            return "SELECT rowid FROM runs_fts WHERE runs_fts MATCH ?", (text,)
        return "SELECT rowid FROM runs_fts WHERE text @@ to_tsquery('simple', ?)", (
            to_tsquery(text),
        )

    def number(self, value: int | float) -> int | float | Decimal:
        """A number as compared with (or stored in) the NUMERIC key column, exactly.

        PostgreSQL converts a double to NUMERIC with 15 digits, so floats go as the exact
        decimal of their shortest repr; SQLite compares doubles and integers exactly itself.
        """
        if self.name == "sqlite" or isinstance(value, int):
            return value
        return Decimal(repr(value))


SQLITE = Dialect(
    name="sqlite",
    regexp="REGEXP",
    substring="instr",
    begin="BEGIN IMMEDIATE",
    time_index_hint="INDEXED BY runs_time",
    unlimited=-1,
    refresh_statistics=None,
    walks_time_index=True,
)

POSTGRESQL = Dialect(
    name="postgresql",
    regexp="~",
    substring="strpos",
    begin="BEGIN",
    time_index_hint="",
    unlimited=None,
    refresh_statistics="VACUUM (ANALYZE)",
    walks_time_index=False,
)

"""Open the catalog's SQLite file: WAL journal, autocommit reads, a REGEXP function."""

from __future__ import annotations

import functools
import re
import sqlite3
from pathlib import Path

from ._schema import create_schema

# How long a connection waits for another writer's lock before giving up.
BUSY_TIMEOUT_S = 30.0
# Page cache per connection (allocated as used): key queries over 100k runs stay in memory.
CACHE_KIB = 65_536


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    """Compile a pattern once per connection lifetime (queries reuse theirs row after row)."""
    return re.compile(pattern)


def _regexp(pattern: str, value: object) -> bool:
    """SQL ``value REGEXP pattern``: does the pattern match anywhere in a text value?"""
    return isinstance(value, str) and _compiled(pattern).search(value) is not None


def open_connection(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the catalog at ``path`` and make sure its schema exists.

    Autocommit mode (``isolation_level=None``) means every read sees the latest committed
    write of any other connection; writers open their own explicit transactions.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
    )
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        connection.create_function("regexp", 2, _regexp, deterministic=True)
        create_schema(connection)
    except BaseException:
        connection.close()
        raise
    return connection

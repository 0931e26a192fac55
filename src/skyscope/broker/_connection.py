"""Open the catalog's SQLite file: WAL journal, autocommit reads, a REGEXP function.

A writable open creates the file (and brings an older schema up to date); a read-only open
never creates anything, and refuses a path where no catalog is. SQLite's own errors become one
:class:`CatalogError` line naming the file.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from pathlib import Path

from ._errors import CatalogDamaged, CatalogError
from ._schema import create_schema, stored_version

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


def open_connection(path: Path, readonly: bool = False) -> sqlite3.Connection:
    """Open the catalog at ``path`` (creating it unless ``readonly``) and check its schema.

    Autocommit mode (``isolation_level=None``) means every read sees the latest committed
    write of any other connection; writers open their own explicit transactions.
    """
    if readonly and not path.is_file():
        raise CatalogError(f"no catalog at {path} (check the path; nothing was created)")
    if not readonly:
        path.parent.mkdir(parents=True, exist_ok=True)
    target = f"{path.resolve().as_uri()}?mode=ro" if readonly else str(path)
    try:
        connection = sqlite3.connect(
            target,
            timeout=BUSY_TIMEOUT_S,
            isolation_level=None,
            check_same_thread=False,
            uri=readonly,
        )
    except sqlite3.Error as error:
        raise CatalogError(f"cannot open the catalog {path}: {error}") from None
    try:
        _configure(connection, readonly)
    except BaseException as error:
        connection.close()
        if isinstance(error, sqlite3.DatabaseError):
            raise damaged(path, error) from None
        raise
    return connection


def _configure(connection: sqlite3.Connection, readonly: bool) -> None:
    # journal_mode is only set when it differs: setting it takes a lock, reading it does not
    if not readonly and connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    connection.create_function("regexp", 2, _regexp, deterministic=True)
    if readonly:
        if stored_version(connection) is None:
            raise sqlite3.DatabaseError("it holds no catalog tables")
    else:
        create_schema(connection)


def damaged(path: Path, error: sqlite3.Error) -> CatalogError:
    """One line for a file SQLite cannot read as a catalog (or a lock that never freed)."""
    text = str(error)
    if "locked" in text or "busy" in text:
        return CatalogError(
            f"the catalog {path} stayed locked by another process for {BUSY_TIMEOUT_S:.0f} s"
        )
    return CatalogDamaged(
        f"the catalog {path} is damaged or not a catalog ({text}); "
        f"`skyscope catalog check --catalog {path}` says more"
    )

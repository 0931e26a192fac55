"""The catalog's tables: portable SQL core tables, plus an SQLite full-text index beside them.

The core tables use only plain SQL types (TEXT, INTEGER, BIGINT, DOUBLE PRECISION), keep JSON as
TEXT and are keyed by document uids, so the same DDL runs on PostgreSQL (see ADR 0004). The
FTS5 table is SQLite's own and lives apart in ``SQLITE_FULLTEXT``.
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

from ._dialect import SQLITE, Dialect

if TYPE_CHECKING:
    from ._backend import Connection

SCHEMA_VERSION = 2

RUN_KEYS_TABLE = """CREATE TABLE IF NOT EXISTS run_keys (
    run_id BIGINT NOT NULL,
    key TEXT NOT NULL,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    value_text TEXT,
    value_num NUMERIC
)"""

CORE_TABLES: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS catalog_info (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    # id is the run's compact surrogate key (PostgreSQL: GENERATED ALWAYS AS IDENTITY); the
    # key table and the full-text index refer to runs by it.
    """CREATE TABLE IF NOT EXISTS runs (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        scan_id BIGINT,
        time DOUBLE PRECISION NOT NULL,
        plan_name TEXT,
        sample TEXT,
        start_doc TEXT NOT NULL,
        writer_host TEXT,
        writer_pid INTEGER,
        stop_uid TEXT,
        stop_time DOUBLE PRECISION,
        exit_status TEXT,
        num_events BIGINT,
        stop_doc TEXT,
        interrupted TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS runs_time ON runs (time)",
    "CREATE INDEX IF NOT EXISTS runs_scan_id ON runs (scan_id)",
    # One row per scalar of a start document (dotted keys for nested dicts; list items get
    # position >= 0, a scalar -1) and of its stop document (keys prefixed "stop."). kind is
    # 'str' (value_text set), 'num' or 'bool' (value_num set) or 'null'. value_num is NUMERIC
    # so integers stay exact (SQLite keeps them INTEGER; PostgreSQL NUMERIC is exact). Rows are
    # written only when their run's row is, which keeps them unique without a key of their own.
    RUN_KEYS_TABLE,
    # Covers every key query: equality/range on text, or (text IS NULL) equality/range on numbers.
    "CREATE INDEX IF NOT EXISTS run_keys_value "
    "ON run_keys (key, value_text, value_num, kind, position, run_id)",
    """CREATE TABLE IF NOT EXISTS descriptors (
        uid TEXT PRIMARY KEY,
        run_uid TEXT NOT NULL,
        name TEXT NOT NULL,
        time DOUBLE PRECISION,
        doc TEXT NOT NULL,
        ingest_order BIGINT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS descriptors_run ON descriptors (run_uid, name)",
    """CREATE TABLE IF NOT EXISTS data_keys (
        descriptor_uid TEXT NOT NULL,
        key TEXT NOT NULL,
        run_uid TEXT NOT NULL,
        stream TEXT NOT NULL,
        dtype TEXT,
        shape TEXT,
        source TEXT,
        external TEXT,
        PRIMARY KEY (descriptor_uid, key)
    )""",
    "CREATE INDEX IF NOT EXISTS data_keys_key ON data_keys (key, run_uid)",
    """CREATE TABLE IF NOT EXISTS events (
        uid TEXT PRIMARY KEY,
        descriptor_uid TEXT NOT NULL,
        run_uid TEXT NOT NULL,
        seq_num BIGINT NOT NULL,
        time DOUBLE PRECISION NOT NULL,
        data TEXT NOT NULL,
        timestamps TEXT NOT NULL,
        filled TEXT,
        ingest_order BIGINT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS events_stream ON events (descriptor_uid, seq_num)",
    "CREATE INDEX IF NOT EXISTS events_run ON events (run_uid)",
    """CREATE TABLE IF NOT EXISTS stream_resources (
        uid TEXT PRIMARY KEY,
        run_uid TEXT NOT NULL,
        data_key TEXT NOT NULL,
        mimetype TEXT NOT NULL,
        uri TEXT NOT NULL,
        parameters TEXT NOT NULL,
        doc TEXT NOT NULL,
        ingest_order BIGINT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS stream_resources_run ON stream_resources (run_uid)",
    "CREATE INDEX IF NOT EXISTS stream_resources_uri ON stream_resources (uri)",
    "CREATE INDEX IF NOT EXISTS stream_resources_mimetype ON stream_resources (mimetype)",
    """CREATE TABLE IF NOT EXISTS stream_datums (
        uid TEXT PRIMARY KEY,
        stream_resource TEXT NOT NULL,
        descriptor_uid TEXT NOT NULL,
        run_uid TEXT NOT NULL,
        index_start BIGINT NOT NULL,
        index_stop BIGINT NOT NULL,
        seq_start BIGINT NOT NULL,
        seq_stop BIGINT NOT NULL,
        ingest_order BIGINT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS stream_datums_stream ON stream_datums (descriptor_uid, seq_start)",
    "CREATE INDEX IF NOT EXISTS stream_datums_run ON stream_datums (run_uid)",
    # Legacy asset documents (resource, datum) are kept whole so a run exports as it came.
    """CREATE TABLE IF NOT EXISTS other_documents (
        uid TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        run_uid TEXT,
        doc TEXT NOT NULL,
        ingest_order BIGINT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS other_documents_run ON other_documents (run_uid)",
)

# SQLite only: full-text search over the values of each start document. Contentless (the
# text lives in start_doc already); its rowid is the run's id.
SQLITE_FULLTEXT: tuple[str, ...] = (
    """CREATE VIRTUAL TABLE IF NOT EXISTS runs_fts USING fts5(
        text, content = '', tokenize = 'unicode61 remove_diacritics 2'
    )""",
)


# PostgreSQL: the full-text index is a table of literal tsvectors (words cut in Python, see
# ``_fulltext``) with a GIN index; rowid is the run's id, as in FTS5.
POSTGRES_FULLTEXT: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS runs_fts (rowid BIGINT PRIMARY KEY, text TSVECTOR NOT NULL)",
    "CREATE INDEX IF NOT EXISTS runs_fts_text ON runs_fts USING GIN (text)",
)
# The core DDL's few words PostgreSQL spells differently: an identity key for the run ids, and
# byte-order ("C") collation for run uids so a uid prefix is a range scan, as on SQLite.
POSTGRES_SPELLING = {
    "id INTEGER PRIMARY KEY": "id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
    "uid TEXT NOT NULL UNIQUE": 'uid TEXT COLLATE "C" NOT NULL UNIQUE',
}
EXPECTED_TABLES = (
    "catalog_info",
    "runs",
    "run_keys",
    "descriptors",
    "data_keys",
    "events",
    "stream_resources",
    "stream_datums",
    "other_documents",
    "runs_fts",
)
# Serialises schema creation by several writers starting at once (PostgreSQL).
_SCHEMA_LOCK_KEY = 0x5C05C09E


def statements(dialect: Dialect) -> tuple[str, ...]:
    """The DDL of the catalog's tables and indexes in ``dialect``."""
    if dialect.name == "sqlite":
        return (*CORE_TABLES, *SQLITE_FULLTEXT)
    core = []
    for statement in CORE_TABLES:
        for sqlite_words, postgres_words in POSTGRES_SPELLING.items():
            statement = statement.replace(sqlite_words, postgres_words)
        core.append(statement)
    return (*core, *POSTGRES_FULLTEXT)


def create_schema(connection: Connection, dialect: Dialect = SQLITE) -> None:
    """Create what is missing, or bring an older catalog up to :data:`SCHEMA_VERSION`.

    A current catalog is only read, so opening it never waits for another writer's lock.
    """
    version = stored_version(connection, dialect)
    if version == SCHEMA_VERSION:
        return
    if version is not None and version > SCHEMA_VERSION:
        raise sqlite3.DatabaseError(
            f"the catalog has schema version {version}; this skyscope reads up to "
            f"{SCHEMA_VERSION}: upgrade skyscope"
        )
    connection.execute(dialect.begin)
    try:
        if dialect.name != "sqlite":
            connection.execute("SELECT pg_advisory_xact_lock(?)", (_SCHEMA_LOCK_KEY,))
        if version == 1:
            _upgrade_from_1(connection)
        for statement in statements(dialect):
            connection.execute(statement)
        connection.execute(
            "INSERT INTO catalog_info (name, value) VALUES ('schema_version', ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (str(SCHEMA_VERSION),),
        )
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def stored_version(connection: Connection, dialect: Dialect = SQLITE) -> int | None:
    """The catalog's schema version, or None for a new (empty) file."""
    exists: Any = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'catalog_info'"
        if dialect.name == "sqlite"
        else "SELECT 1 WHERE to_regclass('catalog_info') IS NOT NULL"
    ).fetchone()
    if exists is None:
        return None
    row = connection.execute(
        "SELECT value FROM catalog_info WHERE name = 'schema_version'"
    ).fetchone()
    return int(row[0]) if row is not None else None


def _upgrade_from_1(connection: Connection) -> None:
    """Version 1 stored key numbers as doubles and had no ``interrupted`` column.

    The key table is rebuilt from the stored start and stop documents, so integers beyond 2**53
    become exact again.
    """
    from ._rows import key_rows  # the rows module imports nothing from here

    connection.execute("ALTER TABLE runs ADD COLUMN interrupted TEXT")
    connection.execute("DROP TABLE run_keys")
    connection.execute(RUN_KEYS_TABLE)
    rows = connection.execute("SELECT id, start_doc, stop_doc FROM runs").fetchall()
    for run_id, start_doc, stop_doc in rows:
        keys = key_rows(json.loads(start_doc))
        if stop_doc is not None:
            keys += key_rows(json.loads(stop_doc), prefix="stop.")
        connection.executemany(
            "INSERT INTO run_keys VALUES (?, ?, ?, ?, ?, ?)", [(run_id, *k) for k in keys]
        )

"""A throwaway PostgreSQL server on loopback for the catalog's tests (and fresh databases in it).

The server runs from Debian's packages (initdb, pg_ctl beside the ``postgres`` binary) in a
temporary folder, on a free port, with trust authentication. PostgreSQL refuses to run as root,
so as root every server command runs as the ``postgres`` user (``runuser``). Each test gets its
own database, copied from a template that already holds the catalog's tables.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg

from skyscope.broker import Catalog

USER = "skyscope"
TEMPLATE = "skyscope_template"
# Durability is irrelevant for throwaway test data, and skipping fsync keeps 2 shared cores free.
FAST_SETTINGS = ("-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresServer:
    """One PostgreSQL cluster in a temporary folder: start, stop, restart, fresh databases."""

    def __init__(self, postgres: Path, durable: bool = False) -> None:
        """Create (initdb) a cluster for the ``postgres`` binary at ``postgres``."""
        self.bin = postgres.parent
        self.folder = Path(tempfile.mkdtemp(prefix="skyscope-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.durable = durable
        self._names = itertools.count()
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", USER, "-E", "UTF8")

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        settings = () if self.durable else FAST_SETTINGS
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
        options += " ".join(settings)
        log = str(self.folder / "log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``immediate`` is a crash: recovery at the next start)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        """Stop the server if it runs, and delete its folder."""
        if (self.data / "postmaster.pid").exists():
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        """The URL of ``database`` on this server."""
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def make_template(self) -> None:
        """A database holding the catalog's (empty) tables, for fresh databases to copy."""
        self.execute(f"CREATE DATABASE {TEMPLATE}")
        Catalog(self.url(TEMPLATE)).close()

    def fresh_database(self) -> str:
        """The URL of a new database with the catalog's empty tables."""
        name = f"catalog_{os.getpid()}_{next(self._names)}"
        self.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        return self.url(name)

    def execute(self, sql: str) -> None:
        """Run one statement on the maintenance database."""
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(sql.encode())

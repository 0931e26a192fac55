"""A real nats-server with JetStream on a free loopback port, that a test can kill and restart."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import nats
from nats.js.errors import NotFoundError

STREAM = "SKYSCOPE"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class NatsServer:
    """``nats-server -js`` on loopback, its store in ``folder`` (kept across restarts)."""

    def __init__(self, program: Path, folder: Path) -> None:
        self.program = program
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> None:
        """Start the server and wait until it accepts connections."""
        assert self.process is None, "already running"
        self.starts += 1
        log = (self.folder / f"nats-{self.starts}.log").open("wb")
        self.process = subprocess.Popen(
            [
                *(str(self.program), "-js", "-a", "127.0.0.1", "-p", str(self.port)),
                *("-sd", str(self.folder / "store")),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while not port_open(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nats-server did not start; see {log.name}")
            time.sleep(0.02)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Kill the server (SIGKILL by default: no goodbye to clients)."""
        assert self.process is not None, "not running"
        self.process.send_signal(sig)
        self.process.wait(timeout=20)
        self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.kill(signal.SIGTERM)


async def wait_until(
    predicate: Callable[[], bool], timeout: float = 30.0, *, thread: bool = False
) -> None:
    """Poll ``predicate`` until it holds (the state it watches has no event to wait on).

    ``thread``: call it on a worker thread (it reads a catalog: keep that off the loop).
    """
    async with asyncio.timeout(timeout):
        while not (await asyncio.to_thread(predicate) if thread else predicate()):  # noqa: ASYNC110
            await asyncio.sleep(0.005 if not thread else 0.05)


async def delete_stream(url: str) -> None:
    client = await nats.connect(url)
    try:
        with contextlib.suppress(NotFoundError):
            await client.jetstream().delete_stream(STREAM)
    finally:
        await client.close()


def stored_documents(catalog_url: str) -> dict[str, list[tuple[str, str]]]:
    """Every run of a catalog as ``[(name, uid)]``, read through a read-only catalog."""
    from skyscope.broker import Catalog

    with Catalog(catalog_url, readonly=True) as catalog:
        return {
            run.uid: [(name, str(doc["uid"])) for name, doc in run.documents()] for run in catalog
        }


def complete_runs(catalog_url: str) -> set[str]:
    """The runs of a catalog that have their stop document."""
    from pathlib import Path

    from skyscope.broker import Catalog, CatalogError

    if "://" not in catalog_url and not Path(catalog_url).exists():
        return set()
    try:
        with Catalog(catalog_url, readonly=True) as catalog:
            return {run.uid for run in catalog if run.stop is not None}
    except CatalogError:  # the ingest process is still creating it
        return set()


async def start_ingest(
    url: str, catalog_url: str, log: Path, *extra: str
) -> asyncio.subprocess.Process:
    """``skyscope ingest`` in a child process, its messages appended to ``log``."""
    import sys

    with log.open("ab") as stderr:
        return await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "skyscope", "ingest", url, "--catalog", catalog_url, *extra),
            stderr=stderr,
        )

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


async def wait_until(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    """Poll ``predicate`` until it holds (the state it watches has no event to wait on)."""
    async with asyncio.timeout(timeout):
        while not predicate():  # noqa: ASYNC110 - a client's state, a catalog's rows: no event
            await asyncio.sleep(0.005)


async def delete_stream(url: str) -> None:
    client = await nats.connect(url)
    try:
        with contextlib.suppress(NotFoundError):
            await client.jetstream().delete_stream(STREAM)
    finally:
        await client.close()

"""Serve the API with uvicorn on the caller's event loop, the engine's own.

``HttpServer`` binds 127.0.0.1 unless told otherwise (port 0 picks a free port), starts
uvicorn as a task of the running loop and stops it cleanly; ``url`` says where it listens.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from typing import Any

import uvicorn

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 60610
"""bluesky-httpserver's port, where its clients look by default."""


class _Uvicorn(uvicorn.Server):
    """uvicorn leaving signals alone: whoever owns the process decides what Ctrl-C does."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class HttpServer:
    """uvicorn serving an ASGI app on this loop."""

    def __init__(self, app: Any, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
        """Serve ``app`` at ``host:port`` once started."""
        self.app, self.host, self.port = app, host, port
        self._server: _Uvicorn | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        """``http://host:port`` of the listening socket."""
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        """Bind and start serving; returns once uvicorn accepts connections."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # IPPROTO_TCP named: asyncio sets TCP_NODELAY only on sockets that say TCP, and
        # without it every response waits ~40 ms for the client's delayed ACK (Nagle).
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        # no permessage-deflate: zlib on every live frame (8 MB at 2048²) would run on the loop;
        # slow links ask for JPEG or WebP frames instead
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            lifespan="off",
            ws="websockets-sansio",
            ws_per_message_deflate=False,
        )
        self._server = _Uvicorn(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name="skyscope-http")
        while not self._server.started:
            if self._task.done():
                self._task.result()
                raise RuntimeError("uvicorn stopped before it started")
            await asyncio.sleep(0.01)

    async def serve_forever(self) -> None:
        """Wait until the server stops (Ctrl-C or ``stop``)."""
        if self._task is not None:
            await self._task

    def request_stop(self) -> None:
        """Ask the server to stop (from a signal handler); ``serve_forever`` then returns."""
        if self._server is not None:
            self._server.should_exit = True

    async def stop(self) -> None:
        """Close connections and stop serving."""
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
            self._server = self._task = None

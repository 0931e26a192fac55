"""The API's websockets: what each pushes, and the scope it needs.

``/api/status/ws`` and ``/api/info/ws`` push the status at once and at every change
(``{"time", "msg": {"status": ...}}``, as bluesky-httpserver); ``/api/console_output/ws``
pushes every console message (``{"time", "msg"}``) from the moment the client connects.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from ._manager import QueueServer

STATUS_WS = "/api/status/ws"
STATUS_WS_SCOPE = "read:status"


@dataclass(frozen=True)
class Stream:
    """One websocket route: its path, the scope it needs, and the messages it pushes."""

    path: str
    scope: str
    messages: Callable[[QueueServer], AsyncIterator[dict[str, Any]]]
    summary: str


async def status_messages(server: QueueServer) -> AsyncIterator[dict[str, Any]]:
    """The status now, then at every change, until the server closes."""
    async for status in server.feed.listen(server.status()):
        yield {"time": status["time"], "msg": {"status": status}}


async def console_messages(server: QueueServer) -> AsyncIterator[dict[str, Any]]:
    """Every console message from now on."""
    async for message in server.console.listen():
        yield message


STREAMS: tuple[Stream, ...] = (
    Stream(STATUS_WS, STATUS_WS_SCOPE, status_messages, "The status, at every change."),
    Stream("/api/info/ws", "read:monitor", status_messages, "The manager's info messages."),
    Stream("/api/console_output/ws", "read:console", console_messages, "The console output, live."),
)

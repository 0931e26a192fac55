"""``/api/live/documents/ws``: the engine's documents as they are made, resumable by number.

Connect with ``?since=N`` to get every document numbered above ``N`` still in the ring, then
each new one; a client that fell further behind than the ring first gets a ``gap`` message.
With ``?status=1`` the queue server's status changes come on the same socket (``type:
"status"``), so a browser page needs one connection and never polls.
"""

from __future__ import annotations

import json

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from ._gate import Gate, ScopedRoute
from ._live_docs import DocumentRing
from ._manager import QueueServer
from ._ws_tasks import until_first_done

DOCS_WS = "/api/live/documents/ws"
DOCS_SCOPE = "read:monitor"
"""What sending to a client that went away raises."""


def _since(websocket: WebSocket) -> int | str:
    raw = websocket.query_params.get("since", "0")
    try:
        since = int(raw)
    except ValueError:
        return f"'since' must be a whole sequence number, not {raw!r}"
    return since if since >= 0 else f"'since' must be >= 0, not {since}"


async def _send_documents(ring: DocumentRing, websocket: WebSocket, since: int) -> None:
    """Send documents after ``since`` (and any gap), then each new one, forever."""
    seq = since
    while True:
        gap, documents = ring.after(seq)
        if gap is not None:
            await websocket.send_text(gap.json())
        for numbered in documents:
            await websocket.send_text(numbered.json())
            seq = numbered.seq
        await ring.wait_beyond(seq)


async def _send_status(server: QueueServer, websocket: WebSocket) -> None:
    """Send the status now and at every change."""
    async for status in server.feed.listen(server.status()):
        await websocket.send_text(json.dumps({"type": "status", "status": status}, default=repr))


async def _until_closed(websocket: WebSocket) -> None:
    while (await websocket.receive())["type"] != "websocket.disconnect":
        pass


def documents_route(gate: Gate, ring: DocumentRing, server: QueueServer) -> ScopedRoute:
    """The live documents websocket, behind ``read:monitor``."""

    async def documents_ws(websocket: WebSocket) -> None:
        if await gate.accept(websocket, DOCS_SCOPE) is None:
            return
        since = _since(websocket)
        if isinstance(since, str):
            await websocket.send_text(json.dumps({"type": "error", "msg": since}))
            await websocket.close(code=1008)
            return
        hello = {"type": "hello", "seq": ring.seq, "oldest": ring.oldest, "since": since}
        await websocket.send_text(json.dumps(hello))
        tasks = [_send_documents(ring, websocket, since), _until_closed(websocket)]
        if websocket.query_params.get("status") in ("1", "true"):
            tasks.append(_send_status(server, websocket))
        await until_first_done(*tasks)

    return ScopedRoute(WebSocketRoute(DOCS_WS, documents_ws), "WEBSOCKET", DOCS_WS, DOCS_SCOPE)

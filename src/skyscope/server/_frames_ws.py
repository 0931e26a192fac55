"""``/api/live/frames/ws``: the newest camera frame to each viewer, at the viewer's own pace.

Each message is ``uint32 n | n bytes of JSON header | pixels`` (see ``_live_frames.pack_frame``):
raw frames as little-endian 16-bit, or ``?format=jpeg|webp`` (8-bit, auto-contrast) for slow
links. Flow control is by credit: a viewer may have ``?window=`` frames (default 2) unanswered;
it sends any text message (``"ack"``) after painting one. A viewer that does not answer gets
nothing more, the frames in between are skipped, and the camera never waits for it.
"""

from __future__ import annotations

import asyncio
import json

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from ._gate import Gate, ScopedRoute
from ._live_frames import LIVE_FORMATS, LiveFrames
from ._ws_tasks import until_first_done

FRAMES_WS = "/api/live/frames/ws"
FRAMES_SCOPE = "read:monitor"
MAX_WINDOW = 8


class _Credits:
    """Frames a viewer may still be sent before it acknowledges one (at most ``window``)."""

    def __init__(self, window: int) -> None:
        self.window = window
        self.available = window
        self._changed = asyncio.Event()

    async def take(self) -> None:
        while self.available < 1:
            self._changed.clear()
            await self._changed.wait()
        self.available -= 1

    def give(self) -> None:
        self.available = min(self.window, self.available + 1)
        self._changed.set()


def _options(websocket: WebSocket) -> tuple[str, int] | str:
    fmt = websocket.query_params.get("format", "raw")
    if fmt not in LIVE_FORMATS:
        return f"unknown format {fmt!r} (formats: {', '.join(LIVE_FORMATS)})"
    raw = websocket.query_params.get("window", "2")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_WINDOW:
        return f"'window' must be a whole number from 1 to {MAX_WINDOW}, not {raw!r}"
    return fmt, int(raw)


async def _send_frames(live: LiveFrames, websocket: WebSocket, fmt: str, credits: _Credits) -> None:
    seq = 0
    while True:
        await credits.take()
        frame = await live.next_after(seq)
        message = await live.message(frame, fmt)
        # the ASGI message itself: send_bytes() is typed for bytes, a bytearray spares a copy
        await websocket.send({"type": "websocket.send", "bytes": message})
        seq = frame.seq


async def _read_acks(websocket: WebSocket, credits: _Credits) -> None:
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        credits.give()


def frames_route(gate: Gate, live: LiveFrames) -> ScopedRoute:
    """The live frames websocket, behind ``read:monitor``."""

    async def frames_ws(websocket: WebSocket) -> None:
        if await gate.accept(websocket, FRAMES_SCOPE) is None:
            return
        options = _options(websocket)
        if isinstance(options, str):
            await websocket.send_text(json.dumps({"type": "error", "msg": options}))
            await websocket.close(code=1008)
            return
        fmt, window = options
        hello = {"type": "hello", "format": fmt, "window": window, "seq": live.seq}
        await websocket.send_text(json.dumps(hello))
        credits = _Credits(window)
        await until_first_done(
            _send_frames(live, websocket, fmt, credits), _read_acks(websocket, credits)
        )

    return ScopedRoute(WebSocketRoute(FRAMES_WS, frames_ws), "WEBSOCKET", FRAMES_WS, FRAMES_SCOPE)

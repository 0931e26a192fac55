"""``/api/live/frames/ws``: the newest camera frame to each viewer, at the viewer's own pace.

Each message is ``uint32 n | n bytes of JSON header | pixels`` (see ``_live_frames.pack_frame``):
raw frames as little-endian 16-bit, or ``?format=jpeg|webp`` (8-bit, auto-contrast) for slow
links. Flow control is by credit: a viewer may have ``?window=`` frames (default 2) unanswered;
it sends a text message (``"ack"``) after painting one. A viewer that does not answer gets
nothing more, the frames in between are skipped, and the camera never waits for it.

A viewer asks for what it can show: ``?max=W,H`` (its canvas size in device pixels) and
``?roi=X,Y,W,H`` (the region it shows, in frame pixels), or later a text message
``{"view": {"max": [W, H], "roi": [X, Y, W, H]}}``. Each frame is then cropped and binned to
fit (``_frame_view``) on a worker thread, one frame at a time per viewer, newest first: a 2048²
frame shown 700 pixels wide travels as 682² (binning 3), and a viewer zoomed to 1:1 gets its
region at full resolution. The header says the ``binning``, the ``roi`` and the ``frame_shape``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from ._frame_view import FrameView
from ._gate import Gate, ScopedRoute
from ._live_frames import FULL_VIEW, LIVE_FORMATS, LiveFrames
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


class _Viewer:
    """One viewer's credits and the view it last asked for."""

    def __init__(self, window: int, view: FrameView) -> None:
        self.credits = _Credits(window)
        self.view = view


def _query_view(websocket: WebSocket) -> FrameView:
    wanted: dict[str, Any] = {}
    for name in ("roi", "max"):
        raw = websocket.query_params.get(name)
        if raw is not None:
            try:
                wanted[name] = [int(part) for part in raw.split(",")]
            except ValueError:
                message = f"{name!r} must be whole numbers separated by commas, not {raw!r}"
                raise ValueError(message) from None
    return FrameView.parse(wanted) if wanted else FULL_VIEW


def _options(websocket: WebSocket) -> tuple[str, int, FrameView] | str:
    fmt = websocket.query_params.get("format", "raw")
    if fmt not in LIVE_FORMATS:
        return f"unknown format {fmt!r} (formats: {', '.join(LIVE_FORMATS)})"
    raw = websocket.query_params.get("window", "2")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_WINDOW:
        return f"'window' must be a whole number from 1 to {MAX_WINDOW}, not {raw!r}"
    try:
        view = _query_view(websocket)
    except ValueError as error:
        return str(error)
    return fmt, int(raw), view


async def _send_frames(live: LiveFrames, websocket: WebSocket, fmt: str, viewer: _Viewer) -> None:
    seq = 0
    while True:
        await viewer.credits.take()
        frame = await live.next_after(seq)
        message = await live.message(frame, fmt, viewer.view)
        # the ASGI message itself: send_bytes() is typed for bytes, a bytearray spares a copy
        await websocket.send({"type": "websocket.send", "bytes": message})
        seq = frame.seq


def _view_change(text: str) -> FrameView | str | None:
    """The view a ``{"view": ...}`` message asks for, a complaint, or None for an ack."""
    if not text.startswith("{"):
        return None
    try:
        wanted = json.loads(text)
        if not isinstance(wanted, dict) or not isinstance(wanted.get("view"), dict):
            return 'a view message is {"view": {"max": [w, h], "roi": [x, y, w, h]}}'
        return FrameView.parse(wanted["view"])
    except ValueError as error:  # (json's errors are ValueErrors too)
        return str(error)


async def _read_messages(websocket: WebSocket, viewer: _Viewer) -> None:
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        change = _view_change(message.get("text") or "")
        if change is None:
            viewer.credits.give()
        elif isinstance(change, str):
            await websocket.send_text(json.dumps({"type": "error", "msg": change}))
        else:
            viewer.view = change


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
        fmt, window, view = options
        hello = {"type": "hello", "format": fmt, "window": window, "seq": live.seq}
        await websocket.send_text(json.dumps(hello))
        viewer = _Viewer(window, view)
        await until_first_done(
            _send_frames(live, websocket, fmt, viewer), _read_messages(websocket, viewer)
        )

    return ScopedRoute(WebSocketRoute(FRAMES_WS, frames_ws), "WEBSOCKET", FRAMES_WS, FRAMES_SCOPE)

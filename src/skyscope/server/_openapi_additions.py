"""How ``/openapi.json`` tells the websockets and click-to-move, beside the catalog's routes.

The websockets are the ``GET`` that opens them (101 to a websocket handshake); their
messages are JSON text, or binary frames for the live camera.
"""

from __future__ import annotations

from ._catalog_api import CATALOG_DESCRIPTIONS
from ._docs_ws import DOCS_SCOPE, DOCS_WS
from ._frames_ws import FRAMES_SCOPE, FRAMES_WS, MAX_WINDOW
from ._live_frames import LIVE_FORMATS
from ._openapi import Described, error, json_response, query_param
from ._stage_move import MOVE_BY, MOVE_SCOPE
from ._streams import STREAMS

_UPGRADE = {
    "101": {"description": "Switching to the websocket"},
    "404": error("Not a websocket handshake (no such HTTP route)"),
}


def _websocket(path: str, scope: str, summary: str, *parameters: dict[str, object]) -> Described:
    return Described("GET", path, scope, summary, _UPGRADE, parameters, websocket=True)


_MOVED = json_response(
    {
        "type": "object",
        "properties": {
            "success": {"type": "boolean"},
            "msg": {"type": "string"},
            "position": {"type": "object", "additionalProperties": {"type": "number"}},
        },
        "required": ["success", "msg"],
    },
    "Moved (with the new position), or refused with success false and msg",
)
_FINITE_UM = {"type": "number", "description": "µm, finite"}

ADDITIONS: tuple[Described, ...] = (
    *CATALOG_DESCRIPTIONS,
    *(_websocket(s.path, s.scope, f"WebSocket: {s.summary}") for s in STREAMS),
    _websocket(
        DOCS_WS,
        DOCS_SCOPE,
        "WebSocket: the engine's documents as they are made, numbered and resumable.",
        query_param(
            "since", {"type": "integer", "minimum": 0}, "Send the documents after this one"
        ),
        query_param("status", {"enum": ["1", "true"]}, "Also push the status on this socket"),
    ),
    _websocket(
        FRAMES_WS,
        FRAMES_SCOPE,
        "WebSocket: the newest camera frame to each viewer; send any text after each frame.",
        query_param("format", {"enum": list(LIVE_FORMATS)}, "raw 16-bit, or 8-bit jpeg or webp"),
        query_param("window", {"type": "integer", "minimum": 1, "maximum": MAX_WINDOW}, "Credits"),
    ),
    Described(
        "POST",
        MOVE_BY,
        MOVE_SCOPE,
        "Move the stage's x and y by an offset (click-to-move in the live image).",
        {"200": _MOVED, "400": error("The body is not an object of two finite numbers")},
        body={
            "type": "object",
            "properties": {"dx_um": _FINITE_UM, "dy_um": _FINITE_UM},
            "required": ["dx_um", "dy_um"],
            "additionalProperties": False,
        },
    ),
)
"""skyscope's additions and the websockets, as ``/openapi.json`` tells them."""

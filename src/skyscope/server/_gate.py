"""The key check for skyscope's own routes: the app's ``authorize``, plus a browser's websocket key.

A browser cannot set ``Authorization`` on a websocket, so it offers the key as the subprotocol
``apikey.<key>`` beside ``skyscope``; the gate turns that into the header and asks the same
``authorize`` the bluesky-httpserver routes use, so keys, roles and scopes are one set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute
from starlette.websockets import WebSocket

from ._keys import Principal

Authorize = Callable[[HTTPConnection, str], "Principal | Response"]
"""The app's check: the principal, or the 401/403 response refusing the connection."""

SUBPROTOCOL = "skyscope"
KEY_PREFIX = "apikey."


@dataclass(frozen=True)
class ScopedRoute:
    """A route of skyscope's additions and the scope it needs (``None``: public, no key)."""

    route: BaseRoute
    method: str
    path: str
    scope: str | None


def _with_key_header(connection: HTTPConnection) -> HTTPConnection:
    """The connection, with a subprotocol-borne key moved into ``Authorization``."""
    if "authorization" in connection.headers:
        return connection
    offered = connection.scope.get("subprotocols") or []
    keys = [p[len(KEY_PREFIX) :] for p in offered if p.startswith(KEY_PREFIX)]
    if not keys:
        return connection
    scope = dict(connection.scope)
    scope["headers"] = [*scope["headers"], (b"authorization", f"ApiKey {keys[0]}".encode())]
    return HTTPConnection(scope)


class Gate:
    """Checks a request's key and scope; refuses with the app's 401/403 JSON."""

    def __init__(self, authorize: Authorize) -> None:
        """Use ``authorize`` (the app's own check) for every route."""
        self._authorize = authorize

    def check(self, connection: HTTPConnection, scope: str) -> Principal | Response:
        """The principal, or the response refusing the request."""
        return self._authorize(_with_key_header(connection), scope)

    async def accept(self, websocket: WebSocket, scope: str) -> Principal | None:
        """Accept a websocket whose key has ``scope``; refuse it (and return None) otherwise."""
        answer = self.check(websocket, scope)
        if isinstance(answer, Response):
            await websocket.send_denial_response(answer)
            return None
        offered = websocket.scope.get("subprotocols") or []
        await websocket.accept(subprotocol=SUBPROTOCOL if SUBPROTOCOL in offered else None)
        return answer


def not_found(detail: str) -> JSONResponse:
    """A 404 saying what was not found."""
    return JSONResponse({"detail": detail}, status_code=404)


def bad_request(detail: str) -> JSONResponse:
    """A 400 saying what is wrong with the request."""
    return JSONResponse({"detail": detail}, status_code=400)

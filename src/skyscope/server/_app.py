"""The HTTP and WebSocket API: bluesky-httpserver's routes and JSON over a ``QueueServer``.

Every route needs ``Authorization: ApiKey <key>``: no valid key is 401, a key whose role lacks
the route's scope is 403 (scopes configured as ``anonymous_scopes`` need no key). A refused
request is still a 200 with ``success: false`` and ``msg`` saying why, as bluesky-httpserver
answers; errors of the HTTP layer carry ``detail``, which its clients print.
"""

from __future__ import annotations

import asyncio
import inspect
from asyncio import FIRST_COMPLETED
from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from skyscope.broker import Catalog

from ._additions import skyscope_routes
from ._environment import StartupError
from ._gate import Authorize
from ._items import ItemError
from ._keys import ApiKeys, Principal
from ._live_frames import LiveFrames
from ._lock import LockError
from ._manager import QueueError, QueueServer
from ._openapi import openapi
from ._openapi_additions import ADDITIONS
from ._permissions import PermissionsError
from ._routes import ROUTES, STREAMS, Stream
from ._routes import Route as ApiRoute

REFUSALS = (ItemError, QueueError, PermissionsError, StartupError, LockError)
"""What a request can be refused for: answered ``success: false`` with the reason."""


class _Denied(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


def _authorize(
    connection: HTTPConnection, keys: ApiKeys, scope: str, anonymous: frozenset[str]
) -> Principal:
    if scope in anonymous:
        return keys.principal(connection.headers.get("authorization")) or Principal(
            name="anonymous", role="anonymous", scopes=anonymous
        )
    header = connection.headers.get("authorization")
    principal = keys.principal(header)
    if principal is None:
        why = "no API key" if not header else "an unknown, malformed or expired API key"
        raise _Denied(401, f"{why}: send 'Authorization: ApiKey <key>'")
    if scope not in principal.scopes:
        raise _Denied(403, f"the {principal.role!r} role lacks the scope {scope!r}")
    return principal


async def _params(request: Request) -> dict[str, Any]:
    body = await request.body()
    params: dict[str, Any] = dict(request.query_params)
    if body.strip():
        try:
            parsed = orjson.loads(body)
        except ValueError as error:
            raise _Denied(400, f"the request body is not JSON: {error}") from None
        if not isinstance(parsed, dict):
            raise _Denied(400, "the request body must be a JSON object")
        params.update(parsed)
    return params


def _endpoint(
    route: ApiRoute, server: QueueServer, keys: ApiKeys, anonymous: frozenset[str]
) -> Any:
    async def endpoint(request: Request) -> Response:
        try:
            principal = _authorize(request, keys, route.scope, anonymous)
            params = await _params(request)
        except _Denied as denied:
            return JSONResponse({"detail": denied.detail}, status_code=denied.status)
        seq = server.feed.seq
        try:
            answer = route.handler(server, params, principal)
            if inspect.isawaitable(answer):
                answer = await answer
            body = {"success": True, "msg": "", **answer}
        except REFUSALS as error:
            body = {"success": False, "msg": str(error)}
        response = FastJSONResponse(body)  # encoded now, before anything else changes it
        if server.feed.seq != seq:
            await asyncio.sleep(0)  # the status websockets push the change before the reply
        return response

    endpoint.__name__ = route.path
    endpoint.__doc__ = route.summary
    return endpoint


def dumps(value: Any) -> bytes:
    """``value`` as JSON (odd values, such as devices in kwargs, as their repr), fast."""
    return orjson.dumps(value, default=repr, option=orjson.OPT_NON_STR_KEYS)


class FastJSONResponse(JSONResponse):
    """A JSON response encoded by orjson: the encoding is most of a request's time here."""

    def render(self, content: Any) -> bytes:
        return dumps(content)


def _stream_ws(
    stream: Stream, server: QueueServer, keys: ApiKeys, anonymous: frozenset[str]
) -> Any:
    async def stream_ws(websocket: WebSocket) -> None:
        try:
            _authorize(websocket, keys, stream.scope, anonymous)
        except _Denied as denied:
            await websocket.send_denial_response(
                JSONResponse({"detail": denied.detail}, status_code=denied.status)
            )
            return
        await websocket.accept()
        pushing = asyncio.ensure_future(_push(stream, server, websocket))
        closing = asyncio.ensure_future(_until_closed(websocket))
        done, pending = await asyncio.wait({pushing, closing}, return_when=FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        if pushing in done and closing not in done:
            await websocket.close()

    return stream_ws


async def _push(stream: Stream, server: QueueServer, websocket: WebSocket) -> None:
    """Send the stream's messages until it ends or the client goes."""
    try:
        async for message in stream.messages(server):
            await websocket.send_text(dumps(message).decode())
    except WebSocketDisconnect:
        return


async def _until_closed(websocket: WebSocket) -> None:
    """Return when the client closes the connection (what it sends is ignored)."""
    while (await websocket.receive())["type"] != "websocket.disconnect":
        pass


def _authorizer(keys: ApiKeys, anonymous: frozenset[str]) -> Authorize:
    """``_authorize`` for skyscope's own routes: the principal, or the refusing response."""

    def authorize(connection: HTTPConnection, scope: str) -> Principal | Response:
        try:
            return _authorize(connection, keys, scope, anonymous)
        except _Denied as denied:
            return JSONResponse({"detail": denied.detail}, status_code=denied.status)

    return authorize


def create_app(
    server: QueueServer,
    keys: ApiKeys,
    *,
    anonymous_scopes: Iterable[str] = (),
    catalog: Catalog | None = None,
    live_frames: LiveFrames | None = None,
) -> Starlette:
    """The ASGI app serving ``server``'s API (and ``catalog``, live frames, the page)."""
    anonymous = frozenset(anonymous_scopes)
    routes: list[BaseRoute] = [
        Route(r.path, _endpoint(r, server, keys, anonymous), methods=[r.method]) for r in ROUTES
    ]
    routes += [WebSocketRoute(w.path, _stream_ws(w, server, keys, anonymous)) for w in STREAMS]
    spec = openapi(ROUTES, ADDITIONS)

    async def openapi_json(_: Request) -> Response:
        return JSONResponse(spec)

    routes.append(Route("/openapi.json", openapi_json, methods=["GET"]))
    extra = skyscope_routes(
        _authorizer(keys, anonymous), server, catalog=catalog, live_frames=live_frames
    )
    routes += [r.route for r in extra]
    app = Starlette(routes=routes, exception_handlers={HTTPException: _http_error})
    app.state.scopes = {(r.method, r.path): r.scope for r in extra}
    return app


async def _http_error(request: Request, error: Exception) -> Response:
    """Starlette's own errors (404, 405) as JSON with ``detail``, as the API's clients read."""
    assert isinstance(error, HTTPException)
    detail = f"{error.detail}: {request.method} {request.url.path}"
    return JSONResponse({"detail": detail}, status_code=error.status_code, headers=error.headers)


def route_table(app: Starlette) -> Mapping[tuple[str, str], str]:
    """``(method, path) -> scope`` of every keyed route of the app (for the permission tests)."""
    scopes: dict[tuple[str, str], str | None] = {(r.method, r.path): r.scope for r in ROUTES}
    scopes.update({("WEBSOCKET", w.path): w.scope for w in STREAMS})
    scopes.update(app.state.scopes)  # skyscope's additions (None: public, the page's files)
    table: dict[tuple[str, str], str] = {}
    for route in app.routes:
        path = getattr(route, "path", "")
        methods = getattr(route, "methods", None) or {"WEBSOCKET"}
        if path == "/openapi.json" or scopes.get(("GET", path), "") is None:
            continue
        for method in methods - {"HEAD"}:
            scope = scopes[(method, path)]
            assert scope is not None
            table[(method, path)] = scope
    return table

"""An OpenAPI 3.1 description of every route, served at ``/openapi.json``.

bluesky-httpserver's routes share one shape (a JSON object in, ``success``/``msg`` out);
skyscope's additions (catalog, live documents and frames, click-to-move, and the
websockets) describe their own parameters and answers with ``Described``. A websocket is
told as the ``GET`` that opens it (``x-websocket``), as OpenAPI has no word for one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from skyscope._version import __version__

from ._routes import Route

_RESPONSE = {
    "type": "object",
    "properties": {"success": {"type": "boolean"}, "msg": {"type": "string"}},
    "required": ["success", "msg"],
}
ERROR = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
"""What an HTTP-level refusal carries (400, 401, 403, 404, 503)."""


def json_response(schema: Mapping[str, Any], description: str) -> dict[str, Any]:
    """A response of ``schema`` as JSON."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error(description: str) -> dict[str, Any]:
    """An error response carrying ``detail``."""
    return json_response(ERROR, description)


def query_param(name: str, schema: Mapping[str, Any], description: str) -> dict[str, Any]:
    """An optional query parameter."""
    return {"name": name, "in": "query", "schema": dict(schema), "description": description}


def path_param(name: str, schema: Mapping[str, Any], description: str) -> dict[str, Any]:
    """A path parameter."""
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": dict(schema),
        "description": description,
    }


@dataclass(frozen=True)
class Described:
    """One of skyscope's added routes as OpenAPI tells it."""

    method: str
    """``GET`` or ``POST``; a websocket is the ``GET`` that opens it."""
    path: str
    scope: str
    summary: str
    responses: Mapping[str, Any]
    parameters: tuple[Mapping[str, Any], ...] = ()
    body: Mapping[str, Any] | None = None
    """The JSON body's schema (POST)."""
    websocket: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)


def _secured(summary: str, scope: str, responses: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "summary": summary,
        "security": [{"ApiKey": []}],
        "description": f"Needs the scope `{scope}`.",
        "responses": {
            **responses,
            "401": error("No valid API key"),
            "403": error("The key's role lacks the scope"),
        },
    }


def _operation_id(method: str, route_path: str) -> str:
    cleaned = route_path.replace("{", "").replace("}", "").replace("/", "_")
    return f"{method.lower()}{cleaned}"


def _bluesky(route: Route) -> dict[str, Any]:
    operation = _secured(
        route.summary,
        route.scope,
        {
            "200": json_response(_RESPONSE, "Done, or refused with success false and msg"),
            "400": error("The body is not a JSON object"),
        },
    )
    if route.method == "POST":
        operation["requestBody"] = {
            "required": False,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    return operation


def _addition(described: Described) -> dict[str, Any]:
    operation = _secured(described.summary, described.scope, described.responses)
    if described.parameters:
        operation["parameters"] = [dict(p) for p in described.parameters]
    if described.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": dict(described.body)}},
        }
    if described.websocket:
        operation["x-websocket"] = True
    return {**operation, **described.extra}


def openapi(routes: Iterable[Route], additions: Iterable[Described] = ()) -> dict[str, Any]:
    """The OpenAPI document of ``routes`` and ``additions``, each secured by an API key."""
    paths: dict[str, dict[str, Any]] = {}
    operations = [(r.method, r.path, _bluesky(r)) for r in routes]
    operations += [(d.method, d.path, _addition(d)) for d in additions]
    for method, route_path, operation in operations:
        operation["operationId"] = _operation_id(method, route_path)
        paths.setdefault(route_path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "skyscope queue server", "version": __version__},
        "paths": paths,
        "components": {
            "securitySchemes": {
                "ApiKey": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "ApiKey <key>",
                }
            }
        },
    }

"""An OpenAPI 3.1 description of the REST routes, served at ``/openapi.json``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from skyscope._version import __version__

from ._routes import Route

_RESPONSE = {
    "type": "object",
    "properties": {"success": {"type": "boolean"}, "msg": {"type": "string"}},
    "required": ["success", "msg"],
}
_ERROR = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def openapi(routes: Iterable[Route]) -> dict[str, Any]:
    """The OpenAPI document of ``routes``, each secured by an API key."""
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        operation: dict[str, Any] = {
            "summary": route.summary,
            "operationId": f"{route.method.lower()}{route.path.replace('/', '_')}",
            "security": [{"ApiKey": []}],
            "description": f"Needs the scope `{route.scope}`.",
            "responses": {
                "200": _json(_RESPONSE, "Done, or refused with success false and msg"),
                "400": _json(_ERROR, "The body is not a JSON object"),
                "401": _json(_ERROR, "No valid API key"),
                "403": _json(_ERROR, "The key's role lacks the scope"),
            },
        }
        if route.method == "POST":
            operation["requestBody"] = {
                "required": False,
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        paths.setdefault(route.path, {})[route.method.lower()] = operation
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

"""The web page at ``/``: static HTML, JavaScript and CSS shipped in the package, no build step.

The page and its files need no key (they hold no data); the page asks for one and then talks
only to the keyed API, like any other client.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ._gate import ScopedRoute

STATIC = Path(__file__).with_name("static")
"""The page's files."""


async def _index(_: Request) -> Response:
    return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


def web_routes() -> list[ScopedRoute]:
    """``/`` (the page) and ``/static/...`` (its files), public."""
    return [
        ScopedRoute(Route("/", _index, methods=["GET"]), "GET", "/", None),
        ScopedRoute(
            Mount("/static", StaticFiles(directory=STATIC), name="static"), "GET", "/static", None
        ),
    ]

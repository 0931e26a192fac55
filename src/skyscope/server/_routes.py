"""bluesky-httpserver's REST routes, each with its scope, mapped onto ``QueueServer`` calls.

The routes live by theme in their own modules; ``ROUTES`` is the whole table the app serves
(and the permission tests walk), and ``Route`` the shape of one entry.
"""

from __future__ import annotations

from ._manager_routes import MANAGER_ROUTES
from ._queue_routes import QUEUE_ROUTES
from ._route import Handler, Params, Route

__all__ = ["ROUTES", "STATUS_WS", "STATUS_WS_SCOPE", "Handler", "Params", "Route"]

ROUTES: tuple[Route, ...] = (
    *MANAGER_ROUTES,
    *QUEUE_ROUTES,
)

STATUS_WS = "/api/status/ws"
STATUS_WS_SCOPE = "read:status"

"""bluesky-httpserver's REST routes, each with its scope, mapped onto ``QueueServer`` calls.

The routes live by theme in their own modules; ``ROUTES`` is the whole table the app serves
(and the permission tests walk), and ``Route`` the shape of one entry. Routes that change the
environment or the queue honour the manager's lock as bluesky-queueserver does: while that
part is locked they need the lock's ``lock_key``.
"""

from __future__ import annotations

import dataclasses

from ._auth_routes import AUTH_ROUTES
from ._control_routes import CONTROL_ROUTES
from ._manager_routes import MANAGER_ROUTES
from ._queue_routes import QUEUE_ROUTES
from ._route import Handler, Params, Route, locked
from ._streams import STATUS_WS, STATUS_WS_SCOPE, STREAMS, Stream

__all__ = [
    "ROUTES",
    "STATUS_WS",
    "STATUS_WS_SCOPE",
    "STREAMS",
    "Handler",
    "Params",
    "Route",
    "Stream",
]

QUEUE_LOCKED = frozenset(
    "/api/" + path
    for path in [
        "permissions/reload",
        "permissions/set",
        "queue/mode/set",
        "queue/item/add",
        "queue/item/add/batch",
        "queue/item/update",
        "queue/item/remove",
        "queue/item/remove/batch",
        "queue/item/move",
        "queue/item/move/batch",
        "queue/clear",
        "history/clear",
    ]
)
ENVIRONMENT_LOCKED = frozenset(
    "/api/" + path
    for path in [
        "queue/item/execute",
        "environment/open",
        "environment/close",
        "environment/destroy",
        "environment/update",
        "script/upload",
        "function/execute",
        "queue/start",
        "queue/stop",
        "queue/stop/cancel",
        "queue/autostart",
        "kernel/interrupt",
        "re/pause",
        "re/resume",
        "re/stop",
        "re/abort",
        "re/halt",
    ]
)


def _with_lock(route: Route) -> Route:
    if route.path in QUEUE_LOCKED:
        return dataclasses.replace(route, handler=locked("queue", route.handler))
    if route.path in ENVIRONMENT_LOCKED:
        return dataclasses.replace(route, handler=locked("environment", route.handler))
    return route


ROUTES: tuple[Route, ...] = tuple(
    _with_lock(route) for route in (*MANAGER_ROUTES, *QUEUE_ROUTES, *CONTROL_ROUTES, *AUTH_ROUTES)
)

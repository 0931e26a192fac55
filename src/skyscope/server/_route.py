"""One REST route of the API, and the helpers every route's handler uses.

A handler takes the server, the request's parameters (a JSON object) and the principal, and
returns the response's fields; ``success`` and ``msg`` are added by the app. Parameters a
route does not know are refused, so a typo never passes silently.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ._items import ItemError
from ._keys import Principal
from ._manager import QueueServer

Params = Mapping[str, Any]
Handler = Callable[[QueueServer, Params, Principal], Awaitable[dict[str, Any]] | dict[str, Any]]


@dataclass(frozen=True)
class Route:
    """One REST route: method, path, the scope it needs, and what it does."""

    method: str
    path: str
    scope: str
    handler: Handler
    summary: str


def routes(method: str, scope: str, table: Mapping[str, tuple[Handler, str]]) -> list[Route]:
    """The routes of one method and scope, from ``path -> (handler, summary)``."""
    return [
        Route(method, path, scope, handler, summary) for path, (handler, summary) in table.items()
    ]


def only(params: Params, *names: str) -> dict[str, Any]:
    """``params`` restricted to ``names``; any other parameter is refused by name."""
    unknown = sorted(set(params) - set(names))
    if unknown:
        known = ", ".join(names) or "none"
        raise ItemError(f"unsupported parameters: {', '.join(unknown)} (known: {known})")
    return dict(params)


def locked(part: str, handler: Handler) -> Handler:
    """``handler``, refused without the lock's ``lock_key`` while ``part`` is locked.

    ``part`` is ``"environment"`` or ``"queue"``, as bluesky-queueserver locks its API.
    """

    def guarded(s: QueueServer, p: Params, who: Principal) -> Any:
        params = dict(p)
        s.lock.check(params.pop("lock_key", None), **{part: True})
        return handler(s, params, who)

    return guarded


def user_of(principal: Principal) -> dict[str, str]:
    """The ``user`` and ``user_group`` a request acts as: the key's, never the client's."""
    return {"user": principal.name, "user_group": principal.user_group}


def no_params(call: Callable[[QueueServer], Any]) -> Handler:
    """A handler calling ``call(server)``, refusing any parameter."""

    def handler(s: QueueServer, p: Params, _: Principal) -> Any:
        only(p)
        return call(s)

    return handler

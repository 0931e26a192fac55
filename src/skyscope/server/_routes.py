"""bluesky-httpserver's REST routes, each with its scope, mapped onto ``QueueServer`` calls.

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


def _only(params: Params, *names: str) -> dict[str, Any]:
    """``params`` restricted to ``names``; any other parameter is refused by name."""
    unknown = sorted(set(params) - set(names))
    if "lock_key" in unknown:
        raise ItemError("locking the queue or environment is not supported by this server")
    if unknown:
        known = ", ".join(names) or "none"
        raise ItemError(f"unsupported parameters: {', '.join(unknown)} (known: {known})")
    return dict(params)


def _user(principal: Principal) -> dict[str, str]:
    return {"user": principal.name, "user_group": principal.user_group}


def _status(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    _only(p, "reload")
    return s.status()


def _config(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    _only(p)
    return {"config": {"ip_connect_info": {}}}


def _item_add(s: QueueServer, p: Params, who: Principal) -> dict[str, Any]:
    args = _only(p, "item", "pos", "before_uid", "after_uid", "user", "user_group")
    args.pop("user", None), args.pop("user_group", None)  # the key says who, not the client
    if "item" not in args:
        raise ItemError("the request needs an 'item'")
    return s.queue_item_add(args.pop("item"), **args, **_user(who))


def _item_add_batch(s: QueueServer, p: Params, who: Principal) -> dict[str, Any]:
    args = _only(p, "items", "pos", "before_uid", "after_uid", "user", "user_group")
    args.pop("user", None), args.pop("user_group", None)
    if "items" not in args:
        raise ItemError("the request needs 'items'")
    return s.queue_item_add_batch(args.pop("items"), **args, **_user(who))


def _item_update(s: QueueServer, p: Params, who: Principal) -> dict[str, Any]:
    args = _only(p, "item", "replace", "user", "user_group")
    if "item" not in args:
        raise ItemError("the request needs an 'item'")
    return s.queue_item_update(args["item"], replace=bool(args.get("replace")), **_user(who))


def _item_execute(s: QueueServer, p: Params, who: Principal) -> dict[str, Any]:
    args = _only(p, "item", "user", "user_group")
    if "item" not in args:
        raise ItemError("the request needs an 'item'")
    return s.queue_item_execute(args["item"], **_user(who))


def _item_get(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    return s.queue_item_get(**_only(p, "pos", "uid"))


def _item_remove(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    return s.queue_item_remove(**_only(p, "pos", "uid"))


def _item_remove_batch(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    args = _only(p, "uids", "ignore_missing")
    return s.queue_item_remove_batch(
        args.get("uids"), ignore_missing=args.get("ignore_missing", True)
    )


def _item_move(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    return s.queue_item_move(**_only(p, "pos", "uid", "pos_dest", "before_uid", "after_uid"))


def _no_params(call: Callable[[QueueServer], Any]) -> Handler:
    def handler(s: QueueServer, p: Params, _: Principal) -> Any:
        _only(p)
        return call(s)

    return handler


def _queue_autostart(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    args = _only(p, "enable")
    if not isinstance(args.get("enable"), bool):
        raise ItemError("'enable' must be true or false")
    return s.queue_autostart(args["enable"])


def _queue_mode_set(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    return s.queue_mode_set(_only(p, "mode").get("mode"))


def _re_pause(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    return s.re_pause(_only(p, "option").get("option", "deferred"))


def _re_control(control: str) -> Handler:
    def handler(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
        _only(p)
        return s.re_control(control)

    return handler


def _re_runs(option: str | None) -> Handler:
    def handler(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
        args = _only(p, "option")
        return s.re_runs(option or args.get("option", "active"))

    return handler


def _group(p: Params, who: Principal) -> str:
    group = _only(p, "user_group").get("user_group", who.user_group)
    if not isinstance(group, str):
        raise ItemError("'user_group' must be a string")
    return group


def _plans_allowed(s: QueueServer, p: Params, who: Principal) -> dict[str, Any]:
    return s.plans_allowed(_group(p, who))


def _devices_allowed(s: QueueServer, p: Params, who: Principal) -> dict[str, Any]:
    return s.devices_allowed(_group(p, who))


def _permissions_set(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    args = _only(p, "user_group_permissions")
    return s.permissions_set(args.get("user_group_permissions", {}))


def _whoami(s: QueueServer, p: Params, who: Principal) -> dict[str, Any]:
    _only(p)
    return {"identity": who.name, "role": who.role, "scopes": sorted(who.scopes)}


def _history_clear(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    _only(p)
    return s.history_clear()


ROUTES: tuple[Route, ...] = (
    Route("GET", "/api/ping", "read:status", _status, "The manager's status (as /api/status)."),
    Route("GET", "/api/status", "read:status", _status, "The manager's status."),
    Route("GET", "/api/config/get", "read:config", _config, "The manager's configuration."),
    Route(
        "GET",
        "/api/queue/get",
        "read:queue",
        _no_params(QueueServer.queue_get),
        "The queue's items and the running item.",
    ),
    Route(
        "POST",
        "/api/queue/clear",
        "write:queue:edit",
        _no_params(QueueServer.queue_clear),
        "Empty the queue.",
    ),
    Route(
        "POST",
        "/api/queue/start",
        "write:queue:control",
        _no_params(QueueServer.queue_start),
        "Run the queue.",
    ),
    Route(
        "POST",
        "/api/queue/stop",
        "write:queue:control",
        _no_params(QueueServer.queue_stop),
        "Stop the queue after the running item.",
    ),
    Route(
        "POST",
        "/api/queue/stop/cancel",
        "write:queue:control",
        _no_params(QueueServer.queue_stop_cancel),
        "Cancel a pending queue stop.",
    ),
    Route(
        "POST",
        "/api/queue/autostart",
        "write:queue:control",
        _queue_autostart,
        "Start the queue by itself whenever it has items.",
    ),
    Route(
        "POST",
        "/api/queue/mode/set",
        "write:queue:control",
        _queue_mode_set,
        "Set the queue's loop and ignore_failures modes.",
    ),
    Route(
        "POST",
        "/api/queue/item/add",
        "write:queue:edit",
        _item_add,
        "Check an item and add it to the queue.",
    ),
    Route(
        "POST",
        "/api/queue/item/add/batch",
        "write:queue:edit",
        _item_add_batch,
        "Check items and add them all, or none.",
    ),
    Route(
        "POST", "/api/queue/item/update", "write:queue:edit", _item_update, "Replace a queued item."
    ),
    Route(
        "POST",
        "/api/queue/item/execute",
        "write:execute",
        _item_execute,
        "Run an item now, without queueing it.",
    ),
    Route("GET", "/api/queue/item/get", "read:queue", _item_get, "One queued item."),
    Route(
        "POST",
        "/api/queue/item/remove",
        "write:queue:edit",
        _item_remove,
        "Take an item out of the queue.",
    ),
    Route(
        "POST",
        "/api/queue/item/remove/batch",
        "write:queue:edit",
        _item_remove_batch,
        "Take several items out of the queue.",
    ),
    Route(
        "POST", "/api/queue/item/move", "write:queue:edit", _item_move, "Move an item in the queue."
    ),
    Route(
        "GET",
        "/api/history/get",
        "read:history",
        _no_params(QueueServer.history_get),
        "The items done, with their results.",
    ),
    Route(
        "POST", "/api/history/clear", "write:history:edit", _history_clear, "Forget the history."
    ),
    Route(
        "POST",
        "/api/environment/open",
        "write:manager:control",
        _no_params(QueueServer.environment_open),
        "Open the environment.",
    ),
    Route(
        "POST",
        "/api/environment/close",
        "write:manager:control",
        _no_params(QueueServer.environment_close),
        "Close the environment.",
    ),
    Route(
        "POST",
        "/api/environment/destroy",
        "write:manager:control",
        _no_params(QueueServer.environment_destroy),
        "Close the environment at once.",
    ),
    Route(
        "POST",
        "/api/environment/update",
        "write:manager:control",
        _no_params(QueueServer.environment_update),
        "Reload the startup file or module.",
    ),
    Route("POST", "/api/re/pause", "write:plan:control", _re_pause, "Pause the running plan."),
    Route(
        "POST",
        "/api/re/resume",
        "write:plan:control",
        _re_control("resume"),
        "Resume the paused plan.",
    ),
    Route(
        "POST",
        "/api/re/stop",
        "write:plan:control",
        _re_control("stop"),
        "Stop the paused plan (a success).",
    ),
    Route(
        "POST",
        "/api/re/abort",
        "write:plan:control",
        _re_control("abort"),
        "Abort the paused plan.",
    ),
    Route(
        "POST",
        "/api/re/halt",
        "write:plan:control",
        _re_control("halt"),
        "Halt the paused plan, without cleanup.",
    ),
    Route("POST", "/api/re/runs", "read:monitor", _re_runs(None), "The current item's runs."),
    Route(
        "GET", "/api/re/runs/active", "read:monitor", _re_runs("active"), "The current item's runs."
    ),
    Route(
        "GET",
        "/api/re/runs/open",
        "read:monitor",
        _re_runs("open"),
        "The current item's open runs.",
    ),
    Route(
        "GET",
        "/api/re/runs/closed",
        "read:monitor",
        _re_runs("closed"),
        "The current item's closed runs.",
    ),
    Route(
        "GET",
        "/api/plans/allowed",
        "read:resources",
        _plans_allowed,
        "The plans the user's group may queue, described.",
    ),
    Route(
        "GET",
        "/api/devices/allowed",
        "read:resources",
        _devices_allowed,
        "The devices the user's group may use, described.",
    ),
    Route(
        "GET",
        "/api/plans/existing",
        "read:resources",
        _no_params(QueueServer.plans_existing),
        "Every plan of the environment, described.",
    ),
    Route(
        "GET",
        "/api/devices/existing",
        "read:resources",
        _no_params(QueueServer.devices_existing),
        "Every device of the environment.",
    ),
    Route(
        "GET",
        "/api/permissions/get",
        "read:resources",
        _no_params(QueueServer.permissions_get),
        "The user group permissions.",
    ),
    Route(
        "POST",
        "/api/permissions/set",
        "write:permissions",
        _permissions_set,
        "Replace the user group permissions.",
    ),
    Route("GET", "/api/auth/whoami", "read:status", _whoami, "Who the key belongs to."),
)

STATUS_WS = "/api/status/ws"
STATUS_WS_SCOPE = "read:status"

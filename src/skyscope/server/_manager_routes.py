"""bluesky-httpserver's manager routes: status, environment, engine, resources, identity."""

from __future__ import annotations

from typing import Any

from ._items import ItemError
from ._keys import Principal
from ._manager import QueueServer
from ._route import Handler, Params, Route, no_params, only


def _status(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    only(p, "reload")
    return s.status()


def _config(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    only(p)
    return {"config": {"ip_connect_info": {}}}


def _re_pause(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    return s.re_pause(only(p, "option").get("option", "deferred"))


def _re_control(control: str) -> Handler:
    def handler(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
        only(p)
        return s.re_control(control)

    return handler


def _re_runs(option: str | None) -> Handler:
    def handler(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
        args = only(p, "option")
        return s.re_runs(option or args.get("option", "active"))

    return handler


def _group(p: Params, who: Principal) -> str:
    group = only(p, "user_group").get("user_group", who.user_group)
    if not isinstance(group, str):
        raise ItemError("'user_group' must be a string")
    return group


def _plans_allowed(s: QueueServer, p: Params, who: Principal) -> dict[str, Any]:
    return s.plans_allowed(_group(p, who))


def _devices_allowed(s: QueueServer, p: Params, who: Principal) -> dict[str, Any]:
    return s.devices_allowed(_group(p, who))


def _permissions_set(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    args = only(p, "user_group_permissions")
    return s.permissions_set(args.get("user_group_permissions", {}))


def _whoami(s: QueueServer, p: Params, who: Principal) -> dict[str, Any]:
    only(p)
    return {"identity": who.name, "role": who.role, "scopes": sorted(who.scopes)}


def _permissions_reload(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    args = only(p, "restore_plans_devices", "restore_permissions")
    if args.get("restore_permissions", True):
        return s.permissions_reload()
    return {}  # the plans and devices are always the open environment's own


def _kernel_interrupt(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    only(p, "interrupt_task", "interrupt_plan")
    raise ItemError(
        "skyscope runs no IPython kernel, so there is none to interrupt: "
        "pause the plan (/api/re/pause) or destroy the environment"
    )


MANAGER_ROUTES: tuple[Route, ...] = (
    Route("GET", "/api/ping", "read:status", _status, "The manager's status (as /api/status)."),
    Route("GET", "/api/status", "read:status", _status, "The manager's status."),
    Route("GET", "/api/config/get", "read:config", _config, "The manager's configuration."),
    Route(
        "POST",
        "/api/environment/open",
        "write:manager:control",
        no_params(QueueServer.environment_open),
        "Open the environment.",
    ),
    Route(
        "POST",
        "/api/environment/close",
        "write:manager:control",
        no_params(QueueServer.environment_close),
        "Close the environment.",
    ),
    Route(
        "POST",
        "/api/environment/destroy",
        "write:manager:control",
        no_params(QueueServer.environment_destroy),
        "Close the environment at once.",
    ),
    Route(
        "POST",
        "/api/environment/update",
        "write:manager:control",
        no_params(QueueServer.environment_update),
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
        no_params(QueueServer.plans_existing),
        "Every plan of the environment, described.",
    ),
    Route(
        "GET",
        "/api/devices/existing",
        "read:resources",
        no_params(QueueServer.devices_existing),
        "Every device of the environment.",
    ),
    Route(
        "GET",
        "/api/permissions/get",
        "read:resources",
        no_params(QueueServer.permissions_get),
        "The user group permissions.",
    ),
    Route(
        "POST",
        "/api/permissions/set",
        "write:permissions",
        _permissions_set,
        "Replace the user group permissions.",
    ),
    Route(
        "POST",
        "/api/permissions/reload",
        "write:config",
        _permissions_reload,
        "Go back to the permissions the server started with.",
    ),
    Route(
        "POST",
        "/api/kernel/interrupt",
        "write:queue:control",
        _kernel_interrupt,
        "Refused: skyscope runs no IPython kernel.",
    ),
    Route("GET", "/api/auth/whoami", "read:status", _whoami, "Who the key belongs to."),
)

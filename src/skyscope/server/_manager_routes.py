"""bluesky-httpserver's manager routes: status, environment, engine, resources, identity."""

from __future__ import annotations

from typing import Any

from ._items import ItemError
from ._keys import Principal
from ._manager import QueueServer
from ._route import Handler, Params, Route, no_params, only, routes


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


_ENVIRONMENT = {
    "/api/environment/open": (no_params(QueueServer.environment_open), "Open the environment."),
    "/api/environment/close": (no_params(QueueServer.environment_close), "Close the environment."),
    "/api/environment/destroy": (no_params(QueueServer.environment_destroy), "Close it at once."),
    "/api/environment/update": (no_params(QueueServer.environment_update), "Reload the startup."),
}
_PLAN_CONTROL = {
    "/api/re/pause": (_re_pause, "Pause the running plan."),
    "/api/re/resume": (_re_control("resume"), "Resume the paused plan."),
    "/api/re/stop": (_re_control("stop"), "Stop the paused plan (a success)."),
    "/api/re/abort": (_re_control("abort"), "Abort the paused plan."),
    "/api/re/halt": (_re_control("halt"), "Halt the paused plan, without cleanup."),
}
_RESOURCES = {
    "/api/plans/allowed": (_plans_allowed, "The plans the user's group may queue, described."),
    "/api/devices/allowed": (_devices_allowed, "The devices the user's group may use, described."),
    "/api/plans/existing": (no_params(QueueServer.plans_existing), "Every plan, described."),
    "/api/devices/existing": (no_params(QueueServer.devices_existing), "Every device."),
    "/api/permissions/get": (no_params(QueueServer.permissions_get), "The group permissions."),
}

MANAGER_ROUTES: tuple[Route, ...] = (
    *routes("GET", "read:status", {
        "/api/ping": (_status, "The manager's status (as /api/status)."),
        "/api/status": (_status, "The manager's status."),
        "/api/auth/whoami": (_whoami, "Who the key belongs to."),
    }),
    *routes("GET", "read:config", {"/api/config/get": (_config, "The manager's configuration.")}),
    *routes("POST", "write:manager:control", _ENVIRONMENT),
    *routes("POST", "write:plan:control", _PLAN_CONTROL),
    *routes("POST", "read:monitor", {"/api/re/runs": (_re_runs(None), "The current item's runs.")}),
    *routes("GET", "read:monitor", {
        "/api/re/runs/active": (_re_runs("active"), "The current item's runs."),
        "/api/re/runs/open": (_re_runs("open"), "The current item's open runs."),
        "/api/re/runs/closed": (_re_runs("closed"), "The current item's closed runs."),
    }),
    *routes("GET", "read:resources", _RESOURCES),
    *routes("POST", "write:permissions", {
        "/api/permissions/set": (_permissions_set, "Replace the user group permissions."),
    }),
    *routes("POST", "write:config", {
        "/api/permissions/reload": (_permissions_reload, "Back to the permissions at start."),
    }),
    *routes("POST", "write:queue:control", {
        "/api/kernel/interrupt": (_kernel_interrupt, "Refused: skyscope runs no IPython kernel."),
    }),
)  # fmt: skip

"""bluesky-httpserver's lock, function, script, task and console routes."""

from __future__ import annotations

from typing import Any

from ._items import ItemError
from ._keys import Principal
from ._manager import QueueServer
from ._route import Params, Route, no_params, only, routes, user_of


def _lock(s: QueueServer, p: Params, who: Principal) -> dict[str, Any]:
    args = only(p, "lock_key", "environment", "queue", "note", "user")
    args.pop("user", None)  # the key says who locks, not the client
    if "lock_key" not in args:
        raise ItemError("the request needs a 'lock_key' (keep it: it unlocks)")
    return s.manager_lock(args.pop("lock_key"), user=who.name, **args)


def _unlock(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    args = only(p, "lock_key")
    if "lock_key" not in args:
        raise ItemError("the request needs the 'lock_key' the manager was locked with")
    return s.manager_unlock(args["lock_key"])


def _lock_info(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    return s.lock_info(only(p, "lock_key").get("lock_key"))


def _function_execute(s: QueueServer, p: Params, who: Principal) -> dict[str, Any]:
    args = only(p, "item", "run_in_background", "user", "user_group")
    if "item" not in args:
        raise ItemError("the request needs an 'item' naming the function")
    background = args.get("run_in_background", False)
    return s.function_execute(args["item"], run_in_background=background, **user_of(who))


def _script_upload(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    args = only(p, "script", "update_lists", "update_re", "run_in_background")
    if "script" not in args:
        raise ItemError("the request needs a 'script'")
    return s.script_upload(args.pop("script"), **args)


def _task_uid(p: Params) -> Any:
    args = only(p, "task_uid")
    if "task_uid" not in args:
        raise ItemError("the request needs a 'task_uid'")
    return args["task_uid"]


def _task_status(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    return s.task_status(_task_uid(p))


def _task_result(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    return s.task_result(_task_uid(p))


def _console_output(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    nlines = only(p, "nlines").get("nlines", 200)
    if isinstance(nlines, str) and nlines.isdigit():
        nlines = int(nlines)  # a query parameter
    if isinstance(nlines, bool) or not isinstance(nlines, int) or nlines < 0:
        raise ItemError(f"'nlines' must be an integer >= 0, not {nlines!r}")
    return {"text": s.console.text(nlines)}


def _console_output_uid(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    only(p)
    return {"console_output_uid": s.console.uid}


def _console_output_update(s: QueueServer, p: Params, _: Principal) -> dict[str, Any]:
    last = only(p, "last_msg_uid").get("last_msg_uid")
    if not isinstance(last, str):
        raise ItemError("the request needs 'last_msg_uid': a message uid, or 'ALL'")
    return s.console.since(last)


CONTROL_ROUTES: tuple[Route, ...] = (
    *routes("POST", "write:lock", {
        "/api/lock": (_lock, "Lock the environment and/or the queue."),
        "/api/unlock": (_unlock, "Unlock with the lock's key."),
    }),
    *routes("GET", "read:lock", {"/api/lock/info": (_lock_info, "Who locked what (checks keys).")}),
    *routes("POST", "write:execute", {
        "/api/function/execute": (_function_execute, "Call a startup's function (a task)."),
    }),
    *routes("POST", "write:scripts", {
        "/api/script/upload": (_script_upload, "Run a script there (if allowed; a task)."),
    }),
    *routes("GET", "read:monitor", {
        "/api/task/status": (_task_status, "The status of tasks."),
        "/api/task/result": (_task_result, "The result of a task."),
        "/api/re/metadata": (no_params(QueueServer.re_metadata), "The engine's metadata."),
    }),
    *routes("GET", "read:console", {
        "/api/console_output": (_console_output, "The last lines of the console output."),
        "/api/console_output/uid": (_console_output_uid, "The console output's uid."),
        "/api/console_output_update": (_console_output_update, "Messages after 'last_msg_uid'."),
    }),
)  # fmt: skip

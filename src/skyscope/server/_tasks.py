"""Tasks: the startup's functions called by clients, and uploaded scripts, with their results.

A task runs in the foreground (the manager is ``executing_task`` and nothing else starts) or
in the background (beside plans). A plain function or a script runs on a worker thread, an
``async`` function on the loop; either way the loop never blocks. ``task_status`` and
``task_result`` report on it by ``task_uid``; ``task_results_uid`` in the status changes
whenever a task ends, so clients wait for results without polling.

Script upload runs arbitrary Python inside the server's process, with its rights: whoever
holds a key allowed to upload can read the key file and the catalog and reach the hardware
directly. It is therefore refused unless the server was started with ``allow_script_upload``
(``skyscope serve --allow-script-upload``), and needs the admin-only ``write:scripts`` scope.
"""

from __future__ import annotations

import asyncio
import collections
import inspect
import json
import time
import traceback
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from ._editing import QueueEditing
from ._items import ItemError
from ._manager_base import QueueError
from ._permissions import allowed_names
from ._uids import new_uid

KEPT_RESULTS = 1000
SCRIPT_OFF = (
    "script upload is off: it runs any Python inside the server's process, so it must be "
    "enabled when the server starts (skyscope serve --allow-script-upload)"
)
TaskStatus = str | dict[str, str]


class TaskExecution(QueueEditing):
    """Function execution and script upload as tasks, and their status and results."""

    def __init__(self, *args: Any, allow_script_upload: bool = False, **kwargs: Any) -> None:
        """As ``QueueEditing``; ``allow_script_upload`` enables ``script_upload``."""
        super().__init__(*args, **kwargs)
        self.allow_script_upload = allow_script_upload
        self._task_results: collections.OrderedDict[str, dict[str, Any]] = collections.OrderedDict()
        self._task_handles: dict[str, asyncio.Task[None]] = {}

    # --- starting tasks ------------------------------------------------------------------

    def function_execute(
        self, item: Any, *, user: str, user_group: str, run_in_background: bool = False
    ) -> dict[str, Any]:
        """Call a function the startup exposes, as the user's group may; a task."""
        env = self._require_environment()
        if not isinstance(item, Mapping) or item.get("item_type") != "function":
            raise ItemError("the item must be {'item_type': 'function', 'name': ..., ...}")
        name, args, kwargs = item.get("name"), item.get("args", []), item.get("kwargs", {})
        if not isinstance(name, str) or name not in env.functions:
            known = ", ".join(sorted(env.functions)) or "none"
            raise ItemError(f"unknown function {name!r} (the environment's functions: {known})")
        if not isinstance(args, list) or not isinstance(kwargs, Mapping):
            raise ItemError("a function item's 'args' must be a list and 'kwargs' an object")
        if not allowed_names(self.permissions, user_group, "functions", [name]):
            raise ItemError(f"the user group {user_group!r} may not call the function {name!r}")
        fn = env.functions[name]
        args, kwargs = list(args), dict(kwargs)
        full = {"item_type": "function", "name": name, "args": args, "kwargs": kwargs}
        full.update(user=user, user_group=user_group, item_uid=new_uid())
        task_uid = self._start_task(lambda: _call(fn, args, kwargs), background=run_in_background)
        return {"item": full, "task_uid": task_uid}

    def script_upload(
        self,
        script: Any,
        *,
        update_lists: bool = True,
        update_re: bool = False,
        run_in_background: bool = False,
    ) -> dict[str, Any]:
        """Run ``script`` in the environment's namespace (if enabled); a task."""
        if not self.allow_script_upload:
            raise QueueError(SCRIPT_OFF)
        env = self._require_environment()
        if not isinstance(script, str):
            raise ItemError("'script' must be the text of a Python script")
        if update_re:
            raise ItemError("update_re: skyscope's engine is not in the namespace to replace")
        try:
            code = compile(script, "<uploaded script>", "exec")
        except SyntaxError as error:
            raise ItemError(f"the script does not compile: {error}") from None

        async def run() -> None:
            await asyncio.to_thread(exec, code, env.namespace)
            if update_lists:
                env.rescan()
                self._uids["plans_allowed"] = self._uids["devices_allowed"] = new_uid()

        return {"task_uid": self._start_task(run, background=run_in_background)}

    def _start_task(self, work: Callable[[], Awaitable[Any]], *, background: bool) -> str:
        if not isinstance(background, bool):
            raise ItemError("'run_in_background' must be true or false")
        if not background:
            self._require_idle("start a task")
        uid = new_uid()
        info = {"task_uid": uid, "time_start": time.time(), "run_in_background": background}
        self._running_tasks[uid] = info
        if not background:
            self.manager_state = "executing_task"
        self._task_handles[uid] = asyncio.ensure_future(self._run_task(info, work))
        self._changed()
        return uid

    async def _run_task(self, info: dict[str, Any], work: Callable[[], Awaitable[Any]]) -> None:
        result: dict[str, Any] = {"success": True, "msg": "", "traceback": ""}
        try:
            value = await work()
            json.dumps(value)  # a result clients cannot read is a failure, said now
            result["return_value"] = value
        except asyncio.CancelledError:
            result.update(success=False, msg="cancelled", return_value=None)
            raise
        except Exception as error:
            result.update(
                success=False,
                msg=f"{type(error).__name__}: {error}",
                return_value=None,
                traceback=traceback.format_exc(),
            )
        finally:
            self._end_task(info, result)

    def _end_task(self, info: dict[str, Any], result: dict[str, Any]) -> None:
        uid = info["task_uid"]
        self._running_tasks.pop(uid, None)
        self._task_handles.pop(uid, None)
        self._task_results[uid] = {**info, **result, "time_stop": time.time()}
        while len(self._task_results) > KEPT_RESULTS:
            self._task_results.popitem(last=False)
        self._uids["task_results"] = new_uid()
        if not info["run_in_background"] and self.manager_state == "executing_task":
            self.manager_state = "idle"
            asyncio.get_running_loop().call_soon(self._autostart)
        self._changed()

    async def cancel_tasks(self) -> None:
        """Cancel every running task (the server is closing)."""
        handles = list(self._task_handles.values())
        for handle in handles:
            handle.cancel()
        await asyncio.gather(*handles, return_exceptions=True)

    # --- reporting -----------------------------------------------------------------------

    def _task_state(self, uid: Any) -> str:
        if not isinstance(uid, str):
            raise ItemError(f"a task uid must be a string, not {uid!r}")
        if uid in self._running_tasks:
            return "running"
        return "completed" if uid in self._task_results else "not_found"

    def task_status(self, task_uid: Any) -> dict[str, Any]:
        """``running``, ``completed`` or ``not_found``, for one uid or a list of them."""
        if isinstance(task_uid, list):
            status: TaskStatus = {u: self._task_state(u) for u in task_uid}
        else:
            status = self._task_state(task_uid)
        return {"task_uid": task_uid, "status": status}

    def task_result(self, task_uid: Any) -> dict[str, Any]:
        """The task's status and result (what is known so far, while it runs)."""
        state = self._task_state(task_uid)
        found = self._running_tasks.get(task_uid) or self._task_results.get(task_uid) or {}
        return {"task_uid": task_uid, "status": state, "result": dict(found)}


async def _call(fn: Callable[..., Any], args: list[Any], kwargs: dict[str, Any]) -> Any:
    """``fn(*args, **kwargs)``: awaited on the loop if async, else on a worker thread."""
    if inspect.iscoroutinefunction(fn):
        return await fn(*args, **kwargs)
    return await asyncio.to_thread(fn, *args, **kwargs)

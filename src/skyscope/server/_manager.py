"""``QueueServer``: a queue of plans run by an engine on the same event loop, status pushed.

It holds no acquisition logic: it checks items, keeps the queue and its history (saved
beside the catalog), runs each item with ``await engine(plan)`` and forwards pause, resume,
stop, abort and halt to the engine. Every change of its status gets the next sequence number
and goes to every listener (``server.feed.listen()``), so no client ever needs to poll.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

from skyscope._version import __version__
from skyscope.engine import Engine, EngineState, RunResult

from ._environment import Environment
from ._items import ItemError, new_item, resolve_plan
from ._permissions import DEFAULT_PERMISSIONS, allowed_names, check_permissions
from ._plan_queue import Item, PlanQueue
from ._results import exit_status, item_result
from ._status import StatusFeed
from ._store import QueueStore

logger = logging.getLogger(__name__)

EnvironmentFactory = Callable[[], Awaitable[Environment]]
ENGINE_CONTROLS = ("resume", "stop", "abort", "halt")


class QueueError(RuntimeError):
    """A request the queue server refuses in its current state; the message says why."""


def _uid() -> str:
    return str(uuid.uuid4())


class QueueServer:
    """The queue, the environment and the engine that runs the queue's plans."""

    def __init__(
        self,
        environment: EnvironmentFactory,
        *,
        engine: Engine,
        store_path: Path | None = None,
        permissions: Mapping[str, Any] | None = None,
    ) -> None:
        """Serve the plans ``environment()`` opens, run by ``engine``, saved at ``store_path``.

        ``engine`` should already send its documents to the catalog; ``store_path`` (None:
        nothing persists) is best put beside the catalog's file.
        """
        self._open_environment = environment
        self.engine = engine
        self.store = QueueStore(store_path) if store_path is not None else None
        self.permissions = check_permissions(permissions or DEFAULT_PERMISSIONS)
        self.queue = PlanQueue()
        self.feed = StatusFeed()
        self.environment: Environment | None = None
        self.manager_state = "idle"
        self.queue_stop_pending = False
        self.autostart = False
        self.pause_pending = False
        self.interrupted: Item | None = None
        """The item a previous process was running when it died (back at the queue's front)."""
        self._worker: asyncio.Task[None] | None = None
        self._controls: asyncio.Queue[str] = asyncio.Queue()
        self._request: str | None = None
        self._runs: dict[str, dict[str, Any]] = {}
        self._uids = {
            k: _uid() for k in ("run_list", "plans_allowed", "devices_allowed", "permissions")
        }
        self._token = engine.subscribe(self._on_document)
        self._closed = False

    # --- life ----------------------------------------------------------------------------

    async def start(self, *, open_environment: bool = True) -> None:
        """Restore the saved queue and history, then open the environment."""
        if self.store is not None:
            state = await asyncio.to_thread(self.store.load)
            self.interrupted = self.queue.restore(state)
            if self.interrupted is not None:
                logger.warning(
                    "item %s (%s) was running when the server stopped: back at the queue's front",
                    self.interrupted.get("item_uid"),
                    self.interrupted.get("name"),
                )
        if open_environment:
            await self._open()
        self._changed()

    async def close(self) -> None:
        """Halt what runs, close the environment, save the queue, end the listeners."""
        if self._closed:
            return
        self._closed = True
        await self._cancel_worker()
        if self.environment is not None:
            await self.environment.close()
            self.environment = None
        self.engine.unsubscribe(self._token)
        self._changed()
        if self.store is not None:
            await self.store.close()
        self.feed.close()

    async def wait_idle(self) -> None:
        """Wait until the worker (a queue or an executed item) has finished."""
        if self._worker is not None:
            await asyncio.shield(self._worker)

    # --- status --------------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        """The manager's status, with bluesky-queueserver's keys."""
        running = self.queue.running
        env = self.environment is not None
        env_uid = self.environment.uid if self.environment is not None else None
        return {
            "msg": f"skyscope queue server {__version__}",
            "time": time.time(),
            "items_in_queue": len(self.queue.items),
            "items_in_history": len(self.queue.history),
            "running_item_uid": running["item_uid"] if running else None,
            "manager_state": self.manager_state,
            "queue_stop_pending": self.queue_stop_pending,
            "queue_autostart_enabled": self.autostart,
            "worker_environment_exists": env,
            "worker_environment_state": ("idle" if running is None else "executing_plan")
            if env
            else "closed",
            "worker_background_tasks": 0,
            "re_state": self.engine.state.value if env else None,
            "ip_kernel_state": None,
            "ip_kernel_captured": None,
            "pause_pending": self.pause_pending,
            "status_uid": _uid(),
            "run_list_uid": self._uids["run_list"],
            "plan_queue_uid": self.queue.plan_queue_uid,
            "plan_history_uid": self.queue.plan_history_uid,
            "devices_existing_uid": env_uid,
            "plans_existing_uid": env_uid,
            "devices_allowed_uid": self._uids["devices_allowed"],
            "plans_allowed_uid": self._uids["plans_allowed"],
            "plan_queue_mode": dict(self.queue.mode),
            "task_results_uid": None,
            "lock_info_uid": None,
            "lock": {"environment": False, "queue": False},
            "seq": self.feed.seq,
        }

    def _changed(self) -> None:
        """Save the queue and push the new status to every listener."""
        if self.store is not None:
            self.store.save(self._saved_state)
        self.feed.publish(self.status())

    def _saved_state(self) -> dict[str, Any]:
        state = self.queue.state()
        state["running_run_uids"] = [u for u, r in self._runs.items() if r["is_open"]]
        return state

    # --- documents -----------------------------------------------------------------------

    def _on_document(self, name: str, doc: Mapping[str, Any]) -> None:
        if name == "start":
            self._runs[doc["uid"]] = {"uid": doc["uid"], "is_open": True, "exit_status": None}
        elif name == "stop" and doc.get("run_start") in self._runs:
            run = self._runs[doc["run_start"]]
            run.update(is_open=False, exit_status=doc.get("exit_status"))
        else:
            return
        self._uids["run_list"] = _uid()
        self._changed()

    # --- the environment -----------------------------------------------------------------

    def _require_environment(self) -> Environment:
        if self.environment is None:
            raise QueueError("the environment is closed: open it first (environment_open)")
        return self.environment

    def _require_idle(self, action: str) -> None:
        if self.manager_state != "idle":
            raise QueueError(f"cannot {action}: the manager is {self.manager_state}")

    async def _open(self) -> None:
        self.manager_state = "creating_environment"
        self._changed()
        try:
            self.environment = await self._open_environment()
        finally:
            self.manager_state = "idle"
            self._uids["plans_allowed"] = self._uids["devices_allowed"] = _uid()
        self._changed()

    async def environment_open(self) -> dict[str, Any]:
        """Open the environment (load the startup's devices and plans)."""
        self._require_idle("open the environment")
        if self.environment is not None:
            raise QueueError("the environment is already open")
        await self._open()
        return {}

    async def environment_close(self) -> dict[str, Any]:
        """Close the environment when nothing runs."""
        self._require_idle("close the environment")
        env = self._require_environment()
        self.manager_state = "closing_environment"
        self._changed()
        try:
            await env.close()
        finally:
            self.environment = None
            self.manager_state = "idle"
            self._changed()
        return {}

    async def environment_destroy(self) -> dict[str, Any]:
        """Close the environment even while a plan runs (the plan is cancelled, its run aborted)."""
        self._require_environment()
        self.manager_state = "destroying_environment"
        self._changed()
        await self._cancel_worker()
        env, self.environment = self.environment, None
        try:
            if env is not None:
                await env.close()
        finally:
            self.manager_state = "idle"
            self._changed()
        return {}

    async def environment_update(self) -> dict[str, Any]:
        """Reload the startup (close and open again) when nothing runs."""
        self._require_idle("update the environment")
        await self.environment_close()
        await self._open()
        return {}

    # --- plans, devices, permissions -----------------------------------------------------

    def plans_existing(self) -> dict[str, Any]:
        """Every plan of the environment, described."""
        env = self._require_environment()
        return {"plans_existing": env.plans_existing(), "plans_existing_uid": env.uid}

    def devices_existing(self) -> dict[str, Any]:
        """Every device of the environment, described."""
        env = self._require_environment()
        return {"devices_existing": env.devices_existing(), "devices_existing_uid": env.uid}

    def plans_allowed(self, user_group: str) -> dict[str, Any]:
        """The plans ``user_group`` may queue, described (``plans_allowed``)."""
        env = self._require_environment()
        names = set(allowed_names(self.permissions, user_group, "plans", env.plans))
        described = {n: d for n, d in env.plans_existing().items() if n in names}
        return {"plans_allowed": described, "plans_allowed_uid": self._uids["plans_allowed"]}

    def devices_allowed(self, user_group: str) -> dict[str, Any]:
        """The devices ``user_group`` may use, described (``devices_allowed``)."""
        env = self._require_environment()
        names = set(allowed_names(self.permissions, user_group, "devices", env.devices))
        described = {n: d for n, d in env.devices_existing().items() if n in names}
        return {"devices_allowed": described, "devices_allowed_uid": self._uids["devices_allowed"]}

    def permissions_get(self) -> dict[str, Any]:
        """The user group permissions in force."""
        return {"user_group_permissions": copy.deepcopy(self.permissions)}

    def permissions_set(self, permissions: Mapping[str, Any]) -> dict[str, Any]:
        """Replace the user group permissions (checked first)."""
        self.permissions = check_permissions(permissions)
        self._uids["plans_allowed"] = self._uids["devices_allowed"] = _uid()
        self._changed()
        return {}

    # --- the queue -----------------------------------------------------------------------

    def _checked(self, raw: Any, user: str, user_group: str) -> Item:
        item = new_item(raw, user=user, user_group=user_group)
        if item["item_type"] == "plan":
            resolve_plan(item, self.environment, self.permissions)
        return item

    def queue_get(self) -> dict[str, Any]:
        """The queue's items, the running item and the queue's uid."""
        return {
            "items": copy.deepcopy(self.queue.items),
            "running_item": copy.deepcopy(self.queue.running) or {},
            "plan_queue_uid": self.queue.plan_queue_uid,
        }

    def queue_item_add(
        self, item: Any, *, user: str, user_group: str, **where: Any
    ) -> dict[str, Any]:
        """Check ``item`` and insert it (``pos``, ``before_uid`` or ``after_uid``)."""
        checked = self._checked(item, user, user_group)
        self.queue.add([checked], **_where(where))
        self._changed()
        self._autostart()
        return {"item": copy.deepcopy(checked), "qsize": len(self.queue.items)}

    def queue_item_add_batch(
        self, items: Any, *, user: str, user_group: str, **where: Any
    ) -> dict[str, Any]:
        """Check every item; add them all, or none if any is refused (each one's verdict)."""
        if not isinstance(items, list):
            raise ItemError("'items' must be a list of items")
        checked: list[Item] = []
        results: list[dict[str, Any]] = []
        for raw in items:
            try:
                checked.append(self._checked(raw, user, user_group))
                results.append({"success": True, "msg": ""})
            except ItemError as error:
                results.append({"success": False, "msg": str(error)})
        if len(checked) < len(items):
            refused = sum(not r["success"] for r in results)
            return {
                "success": False,
                "msg": f"{refused} of {len(items)} items were refused; none was added",
                "items": items,
                "results": results,
                "qsize": len(self.queue.items),
            }
        self.queue.add(checked, **_where(where))
        self._changed()
        self._autostart()
        return {"items": copy.deepcopy(checked), "results": results, "qsize": len(self.queue.items)}

    def queue_item_get(self, *, pos: Any = None, uid: str | None = None) -> dict[str, Any]:
        """The item at ``pos`` or with ``uid``."""
        return {"item": self.queue.get(pos=pos, uid=uid)}

    def queue_item_update(
        self, item: Any, *, user: str, user_group: str, replace: bool = False
    ) -> dict[str, Any]:
        """Replace the queued item with ``item["item_uid"]`` by ``item``, checked."""
        if not isinstance(item, Mapping) or "item_uid" not in item:
            raise ItemError("the item to update needs the 'item_uid' of a queued item")
        checked = self._checked(item, user, user_group)
        checked["item_uid"] = item["item_uid"]
        updated = self.queue.update(checked, replace=bool(replace))
        self._changed()
        return {"item": copy.deepcopy(updated), "qsize": len(self.queue.items)}

    def queue_item_remove(self, *, pos: Any = None, uid: str | None = None) -> dict[str, Any]:
        """Take an item out of the queue."""
        item = self.queue.remove(pos=pos, uid=uid)
        self._changed()
        return {"item": item, "qsize": len(self.queue.items)}

    def queue_item_remove_batch(self, uids: Any, *, ignore_missing: bool = True) -> dict[str, Any]:
        """Take the items with ``uids`` out of the queue."""
        if not isinstance(uids, list) or not all(isinstance(u, str) for u in uids):
            raise ItemError("'uids' must be a list of item uids")
        items = self.queue.remove_batch(uids, ignore_missing=ignore_missing)
        self._changed()
        return {"items": items, "qsize": len(self.queue.items)}

    def queue_item_move(self, **where: Any) -> dict[str, Any]:
        """Move an item (``pos``/``uid``) to ``pos_dest``, ``before_uid`` or ``after_uid``."""
        allowed = {"pos", "uid", "pos_dest", "before_uid", "after_uid"}
        unknown = sorted(set(where) - allowed)
        if unknown:
            raise ItemError(f"unknown parameters: {', '.join(unknown)}")
        item = self.queue.move(**where)
        self._changed()
        return {"item": copy.deepcopy(item), "qsize": len(self.queue.items)}

    def queue_clear(self) -> dict[str, Any]:
        """Empty the queue."""
        self.queue.clear()
        self._changed()
        return {}

    def queue_mode_set(self, mode: Any) -> dict[str, Any]:
        """Set ``loop`` and ``ignore_failures`` (or ``"default"``)."""
        if mode == "default":
            mode = {"loop": False, "ignore_failures": False}
        if not isinstance(mode, Mapping):
            raise ItemError("'mode' must be an object or 'default'")
        for key, value in mode.items():
            if key not in self.queue.mode or not isinstance(value, bool):
                raise ItemError(f"queue mode {key!r}={value!r}: expected loop or ignore_failures")
        self.queue.mode.update(mode)
        self._changed()
        return {}

    def history_get(self) -> dict[str, Any]:
        """The items done, with their results."""
        return {
            "items": copy.deepcopy(self.queue.history),
            "plan_history_uid": self.queue.plan_history_uid,
        }

    def history_clear(self) -> dict[str, Any]:
        """Forget the history."""
        self.queue.clear_history()
        self._changed()
        return {}

    def re_runs(self, option: str = "active") -> dict[str, Any]:
        """Runs of the current item: ``active`` (all), ``open`` or ``closed``."""
        runs = list(self._runs.values())
        if option == "open":
            runs = [r for r in runs if r["is_open"]]
        elif option == "closed":
            runs = [r for r in runs if not r["is_open"]]
        elif option != "active":
            raise QueueError(f"option must be 'active', 'open' or 'closed', not {option!r}")
        return {"run_list": copy.deepcopy(runs), "run_list_uid": self._uids["run_list"]}

    # --- running the queue ---------------------------------------------------------------

    def queue_start(self) -> dict[str, Any]:
        """Run the queue's items one after another until it is empty or stopped."""
        self._require_environment()
        self._require_idle("start the queue")
        self._launch(self._run_queue(), "executing_queue")
        return {}

    def queue_stop(self) -> dict[str, Any]:
        """Stop the queue once the running item is done."""
        if self.manager_state not in ("executing_queue", "paused"):
            raise QueueError("the queue is not running")
        self.queue_stop_pending = True
        self._changed()
        return {}

    def queue_stop_cancel(self) -> dict[str, Any]:
        """Forget a pending ``queue_stop``."""
        self.queue_stop_pending = False
        self._changed()
        return {}

    def queue_autostart(self, enable: bool) -> dict[str, Any]:
        """Start the queue by itself whenever it has items and nothing runs."""
        self.autostart = bool(enable)
        self._changed()
        self._autostart()
        return {}

    def queue_item_execute(self, item: Any, *, user: str, user_group: str) -> dict[str, Any]:
        """Run ``item`` now, without queueing it (it goes to the history)."""
        self._require_environment()
        self._require_idle("execute an item")
        checked = self._checked(item, user, user_group)
        if checked["item_type"] != "plan":
            raise ItemError("only plans can be executed")
        self.queue.start_now(checked)
        self._launch(self._run_one(checked), "executing_queue")
        return {"item": copy.deepcopy(checked), "qsize": len(self.queue.items)}

    def _autostart(self) -> None:
        if (
            self.autostart
            and self.manager_state == "idle"
            and self.environment is not None
            and self.queue.items
        ):
            self._launch(self._run_queue(), "executing_queue")

    def _launch(self, work: Awaitable[None], state: str) -> None:
        self.manager_state = state
        self._controls = asyncio.Queue()
        self._changed()
        self._worker = asyncio.ensure_future(work)

    async def _cancel_worker(self) -> None:
        worker = self._worker
        if worker is not None and not worker.done():
            worker.cancel()
            await asyncio.gather(worker, return_exceptions=True)

    async def _run_queue(self) -> None:
        try:
            while not self.queue_stop_pending and self.environment is not None:
                item = self.queue.start_next()
                if item is None:
                    break
                self._changed()
                if item["item_type"] == "instruction":
                    self.queue.running = None
                    break  # queue_stop: the instruction is used up, the queue stops
                if not await self._execute(item):
                    self.autostart = False
                    break
        finally:
            self._idle()

    async def _run_one(self, item: Item) -> None:
        try:
            await self._execute(item, requeue_failed=False)
        finally:
            self._idle()

    def _idle(self) -> None:
        if self.queue.running is not None:  # cancelled mid-item: it goes back to the front
            self.queue.items.insert(0, self.queue.running)
            self.queue.running = None
        self.queue_stop_pending = self.pause_pending = False
        if self.manager_state != "destroying_environment":
            self.manager_state = "idle"
        self._changed()
        if self.manager_state == "idle":
            asyncio.get_running_loop().call_soon(self._autostart)

    async def _execute(self, item: Item, *, requeue_failed: bool = True) -> bool:
        """Run one plan item to its end; put it in the history; whether the queue goes on."""
        started = time.time()
        self._runs.clear()
        self._request = None
        self._uids["run_list"] = _uid()
        result: dict[str, Any]
        try:
            fn, args, kwargs = resolve_plan(item, self.environment, self.permissions)
            outcome = await self._drive(fn(*args, **kwargs), item)
            status = exit_status(outcome, self._request)
            msg = outcome.reason or (str(outcome.exception) if outcome.exception else "")
            result = item_result(
                status,
                run_uids=outcome.run_start_uids,
                time_start=started,
                msg=msg,
                error=outcome.exception,
            )
        except Exception as error:  # the plan (or its arguments, changed since) failed
            last = self.engine.last_result
            uids = last.run_start_uids if last is not None else ()
            result = item_result(
                "failed", run_uids=uids, time_start=started, msg=str(error), error=error
            )
        completed = result["exit_status"] in ("completed", "stopped")
        ignore = self.queue.mode["ignore_failures"] and result["exit_status"] == "failed"
        requeue: str | None = None
        if not completed and not ignore and requeue_failed:
            requeue = "front"
        elif self.queue.mode["loop"] and requeue_failed:
            requeue = "back"
        self.queue.finish(result, requeue=requeue)
        self.pause_pending = False
        self._changed()
        return (completed or ignore) and result["exit_status"] != "stopped"

    async def _drive(self, plan: Any, item: Item) -> RunResult:
        """``await engine(plan)``; while paused, wait for resume, stop, abort or halt."""
        result = await self.engine(plan, queue_item_uid=item["item_uid"])
        while result.paused:
            self.manager_state, self.pause_pending = "paused", False
            self._changed()
            control = await self._controls.get()
            self._request = control
            self.manager_state = "executing_queue"
            ending = asyncio.ensure_future(getattr(self.engine, control)())
            await asyncio.sleep(0)  # the engine has taken the request: its new state is public
            self._changed()
            result = await ending
        return result

    # --- the engine ----------------------------------------------------------------------

    def re_pause(self, option: str = "deferred") -> dict[str, Any]:
        """Pause the running plan: ``deferred`` (at its next checkpoint) or ``immediate``."""
        if option not in ("deferred", "immediate"):
            raise QueueError(f"option must be 'deferred' or 'immediate', not {option!r}")
        if self.engine.state is not EngineState.RUNNING or self.queue.running is None:
            raise QueueError(f"no plan is running (the engine is {self.engine.state.value})")
        self.engine.request_pause(defer=option == "deferred")
        self.pause_pending = True
        self._changed()
        return {}

    def re_control(self, control: str) -> dict[str, Any]:
        """Resume, stop, abort or halt the paused plan."""
        if control not in ENGINE_CONTROLS:
            raise QueueError(f"unknown engine control {control!r}")
        if self.manager_state != "paused":
            raise QueueError(f"cannot {control}: no plan is paused (manager {self.manager_state})")
        self._controls.put_nowait(control)
        self.manager_state = "executing_queue"  # a second control waits for the next pause
        self._changed()
        return {}


def _where(where: Mapping[str, Any]) -> dict[str, Any]:
    allowed = {"pos", "before_uid", "after_uid"}
    unknown = sorted(set(where) - allowed)
    if unknown:
        raise ItemError(f"unknown parameters: {', '.join(unknown)}")
    return dict(where)

"""The state a queue server's parts share: its status, and how a change is saved and pushed.

Every change of the status gets the next sequence number and goes to every listener
(``server.feed.listen()``), and the queue is saved (off the loop) beside the catalog.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

from skyscope._version import __version__
from skyscope.engine import Engine

from ._console import ConsoleOutput
from ._environment import Environment
from ._items import new_item, resolve_plan
from ._lock import ManagerLock
from ._permissions import DEFAULT_PERMISSIONS, check_permissions
from ._plan_queue import Item, PlanQueue
from ._status import StatusFeed
from ._store import QueueStore
from ._uids import new_uid

EnvironmentFactory = Callable[[], Awaitable[Environment]]


class QueueError(RuntimeError):
    """A request the queue server refuses in its current state; the message says why."""


class ManagerBase:
    """The queue, the environment, the engine, and the status they make together."""

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
        self._initial_permissions = self.permissions
        self.queue = PlanQueue()
        self.feed = StatusFeed()
        self.environment: Environment | None = None
        self.manager_state = "idle"
        self.queue_stop_pending = False
        self.autostart = False
        self.pause_pending = False
        self.interrupted: Item | None = None
        """The item a previous process was running when it died (back at the queue's front)."""
        self.lock = ManagerLock()
        self.console = ConsoleOutput()
        self._runs: dict[str, dict[str, Any]] = {}
        self._running_tasks: dict[str, dict[str, Any]] = {}
        names = ("run_list", "plans_allowed", "devices_allowed", "permissions", "task_results")
        self._uids = {k: new_uid() for k in names}
        self._token = engine.subscribe(self._on_document)
        self._closed = False

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
            "worker_environment_state": self._worker_state(),
            "worker_background_tasks": sum(
                1 for t in self._running_tasks.values() if t["run_in_background"]
            ),
            "re_state": self.engine.state.value if env else None,
            "ip_kernel_state": None,
            "ip_kernel_captured": None,
            "pause_pending": self.pause_pending,
            "status_uid": new_uid(),
            "run_list_uid": self._uids["run_list"],
            "plan_queue_uid": self.queue.plan_queue_uid,
            "plan_history_uid": self.queue.plan_history_uid,
            "devices_existing_uid": env_uid,
            "plans_existing_uid": env_uid,
            "devices_allowed_uid": self._uids["devices_allowed"],
            "plans_allowed_uid": self._uids["plans_allowed"],
            "plan_queue_mode": dict(self.queue.mode),
            "task_results_uid": self._uids["task_results"],
            "lock_info_uid": self.lock.uid,
            "lock": {"environment": self.lock.environment, "queue": self.lock.queue},
            "seq": self.feed.seq,
        }

    def _worker_state(self) -> str:
        if self.environment is None:
            return "closed"
        if self.queue.running is not None:
            return "executing_plan"
        return "executing_task" if self.manager_state == "executing_task" else "idle"

    def _changed(self) -> None:
        """Save the queue and push the new status to every listener."""
        if self.store is not None:
            self.store.save(self._saved_state)
        self.feed.publish(self.status())

    def _saved_state(self) -> dict[str, Any]:
        state = self.queue.state()
        state["running_run_uids"] = [u for u, r in self._runs.items() if r["is_open"]]
        state["lock"] = self.lock.saved()
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
        self._uids["run_list"] = new_uid()
        self._changed()

    # --- the environment -----------------------------------------------------------------

    def _require_environment(self) -> Environment:
        if self.environment is None:
            raise QueueError("the environment is closed: open it first (environment_open)")
        return self.environment

    def _require_idle(self, action: str) -> None:
        if self.manager_state != "idle":
            raise QueueError(f"cannot {action}: the manager is {self.manager_state}")

    def _checked(self, raw: Any, user: str, user_group: str) -> Item:
        item = new_item(raw, user=user, user_group=user_group)
        if item["item_type"] == "plan":
            resolve_plan(item, self.environment, self.permissions)
        return item

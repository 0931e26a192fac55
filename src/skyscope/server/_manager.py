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
from collections.abc import Mapping
from typing import Any

from ._manager_base import EnvironmentFactory, QueueError
from ._permissions import allowed_names, check_permissions
from ._tasks import TaskExecution
from ._uids import new_uid

__all__ = ["EnvironmentFactory", "QueueError", "QueueServer"]

logger = logging.getLogger(__name__)


class QueueServer(TaskExecution):
    """The queue, the environment and the engine that runs the queue's plans."""

    # --- life ----------------------------------------------------------------------------

    async def start(self, *, open_environment: bool = True) -> None:
        """Restore the saved queue and history, then open the environment."""
        self.console.install()
        if self.store is not None:
            state = await asyncio.to_thread(self.store.load)
            self.lock.restore(state.get("lock"))
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
        await self.cancel_tasks()
        if self.environment is not None:
            await self.environment.close()
            self.environment = None
        self.engine.unsubscribe(self._token)
        self._changed()
        if self.store is not None:
            await self.store.close()
        self.feed.close()
        self.console.uninstall()

    async def _open(self) -> None:
        self.manager_state = "creating_environment"
        self._changed()
        try:
            environment = await self._open_environment()
            # describing the plans builds (and caches) their argument checks: off the loop
            await asyncio.to_thread(environment.plans_existing)
            self.environment = environment
        finally:
            self.manager_state = "idle"
            self._uids["plans_allowed"] = self._uids["devices_allowed"] = new_uid()
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
        self._uids["plans_allowed"] = self._uids["devices_allowed"] = new_uid()
        self._changed()
        return {}

    def permissions_reload(self) -> dict[str, Any]:
        """Go back to the permissions the server started with."""
        return self.permissions_set(self._initial_permissions)

    # --- lock and metadata ---------------------------------------------------------------

    def manager_lock(
        self,
        lock_key: Any,
        *,
        user: str,
        environment: Any = False,
        queue: Any = False,
        note: Any = None,
    ) -> dict[str, Any]:
        """Lock the environment and/or the queue with ``lock_key``."""
        self.lock.lock(lock_key, user=user, environment=environment, queue=queue, note=note)
        logger.info("the manager was locked by %s: %s", user, self.lock.describe())
        self._changed()
        return self.lock_info()

    def manager_unlock(self, lock_key: Any) -> dict[str, Any]:
        """Unlock with the lock's key (or the emergency key)."""
        was_set = self.lock.is_set
        self.lock.unlock(lock_key)
        if was_set:
            logger.info("the manager was unlocked")
            self._changed()
        return self.lock_info()

    def lock_info(self, lock_key: Any = None) -> dict[str, Any]:
        """Who locked what; with ``lock_key``, also whether that key opens the lock."""
        if lock_key is not None:
            self.lock.check(lock_key, environment=True, queue=True)
        return {"lock_info": self.lock.info(), "lock_info_uid": self.lock.uid}

    def re_metadata(self) -> dict[str, Any]:
        """The engine's metadata (``engine.md``), added to every run's start document."""
        self._require_environment()
        return {"re_metadata": dict(self.engine.md)}

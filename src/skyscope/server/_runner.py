"""Running the queue: one item after another on the engine, with pause, resume, stop and halt.

Each item runs with ``await engine(plan)`` on the loop; while the engine is paused, the
runner waits for a control (resume, stop, abort, halt) and forwards it. What happened goes
to the history with the item's result.
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Awaitable
from typing import Any

from skyscope.engine import EngineState, RunResult

from ._items import ItemError, resolve_plan
from ._manager_base import ManagerBase, QueueError
from ._plan_queue import Item
from ._results import exit_status, item_result
from ._uids import new_uid

ENGINE_CONTROLS = ("resume", "stop", "abort", "halt")


class QueueRunner(ManagerBase):
    """Starts and stops the queue, runs its items, and forwards engine controls."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """As ``ManagerBase``, with nothing running yet."""
        super().__init__(*args, **kwargs)
        self._worker: asyncio.Task[None] | None = None
        self._controls: asyncio.Queue[str] = asyncio.Queue()
        self._request: str | None = None

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
        self._uids["run_list"] = new_uid()
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
        running = asyncio.ensure_future(self.engine(plan, queue_item_uid=item["item_uid"]))
        try:
            # the engine starts the plan at its first step: say so, for a plan that opens no
            # run (the live view), whose documents would not push a new status
            await asyncio.sleep(0)
            if self.engine.state is EngineState.RUNNING:
                self._changed()
        except asyncio.CancelledError:
            running.cancel()
            raise
        result = await running
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

    async def wait_idle(self) -> None:
        """Wait until the worker (a queue or an executed item) has finished."""
        if self._worker is not None:
            await asyncio.shield(self._worker)

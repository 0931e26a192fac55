"""The loop that steps one plan execution and acts on control requests between messages.

``Engine`` owns what lasts (subscribers, commands, suspenders, metadata); a ``PlanLoop`` is
made for each ``await engine(plan)`` (and each resume) to drive that plan's ``Session``: send
the last response in, execute the next message, and at every boundary pause, suspend, stop,
abort or halt as requested — then leave the hardware safe and close the runs.
"""

from __future__ import annotations

import asyncio
from time import perf_counter
from types import CoroutineType
from typing import TYPE_CHECKING, Any

from ._cleanup import (
    call_on_seen,
    close_runs,
    finish_flyers,
    settle_statuses,
    stop_moved,
    unstage_all,
)
from ._control import Action, Milestone, Request, Transition
from ._driver import AWAIT, Finished
from ._errors import InvalidCommand, RequestAbort, RequestStop
from ._handed import HandedFutures
from ._interruptions import record_interruption
from ._msg import Parallel
from ._no_replay import refuses_replay
from ._parallel import run_branches
from ._plan_exit import close_after_exit
from ._session import Interrupted, Session
from ._state import NO_PLAN_RETURN, EngineState, ExitStatus, RunResult
from ._subscriber_failure import subscriber_failure
from ._suspension import hold_while_suspended

if TYPE_CHECKING:
    from ._engine import Engine

FAIR_SHARE_S = 0.002
"""The longest a plan holds the event loop before the engine lets other tasks (a web request, a
pause from another task, a ticker) run: a plan of messages that never wait would starve them."""


class PlanLoop:
    """Drive one plan execution for ``engine``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def drive(self, s: Session) -> RunResult:
        """Step the plan until it ends (or pauses); return the run's result."""
        try:
            return await self._drive(s)
        except GeneratorExit as exit_:  # raised by a plan (or a suspender's side plan) itself
            return await self._finish(s, await close_after_exit(s.driver, exit_), NO_PLAN_RETURN)

    async def finish(self, s: Session, error: BaseException | None, value: Any) -> RunResult:
        """End the execution now (cleanup, stop documents) as if the plan had raised ``error``."""
        return await self._finish(s, error, value)

    async def _drive(self, s: Session) -> RunResult:
        control, dispatcher = self.engine._control, self.engine.dispatcher
        due = perf_counter() + FAIR_SHARE_S
        while True:
            if perf_counter() >= due:  # a plan whose messages never wait still lets others run
                await asyncio.sleep(0)
                due = perf_counter() + FAIR_SHARE_S
            if control.posted:
                result = await self._act(s)
                if result is not None:
                    return result
                continue  # a request may have come while acting (a pause ending a hold)
            if dispatcher.critical_error is not None:
                self._check_critical(s)
            if s.rewind.replay:
                await self._replay_one(s)
                continue
            if s.unwaited.pending and s.exc is None:  # a status failed with nobody waiting
                s.exc = s.unwaited.take()
            sent = s.response
            try:
                item = s.driver.advance_now(sent, s.exc)
                if item is AWAIT:
                    item = await s.driver.advance(*s.driver.pending)
            except Exception as error:
                return await self._finish(s, error, NO_PLAN_RETURN)
            except KeyboardInterrupt:  # a plan's own Ctrl-C: the run is aborted, as in bluesky
                s.exit_override = ("abort", "KeyboardInterrupt raised by the plan")
                return await self._finish(s, None, NO_PLAN_RETURN)
            if type(sent) is HandedFutures and (unseen := sent.unseen_failure()) is not None:
                if type(item) is Finished:  # it ended past a failed wait_for task it ignored
                    return await self._finish(s, unseen, NO_PLAN_RETURN)
                s.response, s.exc = None, unseen  # thrown in at its next message, not run
                continue
            if type(item) is Finished:
                return await self._finish(s, None, item.value)
            s.exc = s.response = None
            try:  # most handlers answer at once: only a coroutine's answer is awaited
                response = self._dispatch(s, item)
                if type(response) is CoroutineType:
                    response = await response
                s.response = response
            except Interrupted:
                s.rewind.interrupted = item
            except Exception as error:
                s.exc = error

    async def _replay_one(self, s: Session) -> None:
        msg = s.rewind.replay.popleft()
        try:
            s.response = await self._execute(s, msg)
        except Interrupted:
            s.rewind.interrupted = msg
        except Exception as error:
            s.rewind.replay.clear()
            s.exc = error

    async def _execute(self, s: Session, item: Any) -> Any:
        """Execute one item (a message or a ``Parallel``) and return the plan's response."""
        response = self._dispatch(s, item)
        if type(response) is CoroutineType:
            response = await response
        return response

    def _dispatch(self, s: Session, item: Any) -> Any:
        """Start executing ``item``: its response, or a coroutine that gives it."""
        try:
            command = item.command
        except AttributeError:
            if type(item) is Parallel:
                return run_branches(s, item.plans, self._execute)
            raise TypeError(f"a plan must yield messages (Msg) or plans, not {item!r}") from None
        engine = self.engine
        hook = engine.msg_hook
        if hook is not None:  # before the look-up: the hook sees an unknown command too
            hook(item)
        declared = engine._commands.get(command)
        if declared is None:
            raise InvalidCommand(command)
        s.rewind.note(item, declared.replay)
        if s.simulation is not None:
            s.simulation.record(item)
            return declared.dry_run(engine, item)
        if (obj := item.obj) is not None:
            s.seen.setdefault(id(obj), obj)
        return declared.handler(engine, item)

    def _check_critical(self, s: Session) -> None:
        failure = self.engine.dispatcher.critical_error
        if failure is not None and s.exit_override is None:
            reason = f"critical {failure}"
            s.exit_override = ("fail", reason)
            s.exc = subscriber_failure(failure, reason)

    async def _act(self, s: Session) -> RunResult | None:
        transition = self.engine._control.take()
        s.rearm_interrupt()
        action = transition.action
        if action is Action.HALT:
            return await self._halt(s)
        if action is Action.ABORT or action is Action.STOP:  # settled before the plan unstages
            await settle_statuses(s, patient=action is Action.STOP)
            self._begin_ending(s, transition, self.engine._control.reason)
        elif action is Action.PAUSE:
            return await self._pause(s)
        elif action is Action.SUSPEND:
            await self._suspend(s)
        return None

    def _begin_ending(self, s: Session, transition: Transition, reason: str) -> None:
        if s.exit_override is not None and s.exit_override[0] != "success":
            return  # already ending; the first reason stands
        s.rewind.cancel()
        if transition.action is Action.STOP:
            s.exit_override, s.exc = ("success", reason), RequestStop("stop requested")
        else:
            s.exit_override, s.exc = ("abort", reason), RequestAbort(reason or "abort requested")

    def _refuse_pause(self, s: Session) -> None:
        reason = (
            "a pause was requested where the plan cannot be rewound to a checkpoint "
            "(after clear_checkpoint or a parallel block); "
            "the run was aborted instead"
        )
        self._begin_ending(s, self.engine._control.apply(Request.ABORT), reason)

    async def _pause(self, s: Session) -> RunResult | None:
        if not s.rewind.resumable:
            self._refuse_pause(s)
            return None
        await self._rest_devices(s)
        if self.engine.record_interruptions:
            await record_interruption(s, "pause", self.engine.dispatcher.emit)
        await self.engine.dispatcher.stop()
        if self.engine._control.ending_posted:
            self.engine.dispatcher.start()  # ended while pausing: the loop acts on it next
            return None
        self.engine._control.reach(Milestone.PAUSED)
        return RunResult(tuple(s.run_uids), None, "paused", state=EngineState.PAUSED)

    async def _suspend(self, s: Session) -> None:
        if not any(x.tripped for x in self.engine._suspenders):
            s.start_replay()
            return
        if not s.rewind.resumable:
            self._refuse_pause(s)
            return
        self.engine._control.reach(Milestone.SUSPENDED)
        if self.engine.record_interruptions:
            await record_interruption(s, _why(self.engine._suspenders), self.engine.dispatcher.emit)
        await self._rest_devices(s)
        try:
            await hold_while_suspended(s, self.engine._suspenders, self._execute)
        except Interrupted:
            return  # an abort/stop/halt arrived while suspended: the loop acts on it next
        except Exception as error:  # a side plan failed: thrown into the plan, as in bluesky
            self.engine._control.reach(Milestone.CLEARED)
            s.response, s.exc = None, error
            return
        errors: list[BaseException] = []
        await call_on_seen(s, "resume", errors)
        self.engine._control.reach(Milestone.CLEARED)
        s.start_replay()

    async def _rest_devices(self, s: Session) -> None:
        errors: list[BaseException] = []
        await stop_moved(s, True, errors)
        await call_on_seen(s, "pause", errors)
        if any(refuses_replay(error) for error in errors):
            s.rewind.forget()  # a device's pause() said its work must not be repeated

    async def _halt(self, s: Session) -> RunResult:
        await s.driver.close()
        return await self._close_session(s, "abort", "halted", None, NO_PLAN_RETURN, halt=True)

    async def _finish(self, s: Session, error: BaseException | None, value: Any) -> RunResult:
        status: ExitStatus
        if s.exit_override is not None:
            status, reason = s.exit_override
            if isinstance(error, (RequestAbort, RequestStop)):
                error = None
        elif error is not None:  # bluesky's shape: the message ("womp womp"), else the type
            status, reason = "fail", str(error) or type(error).__name__
        else:
            status, reason = "success", ""
        return await self._close_session(s, status, reason, error, value, halt=False)

    async def _close_session(
        self,
        s: Session,
        status: ExitStatus,
        reason: str,
        error: BaseException | None,
        value: Any,
        *,
        halt: bool,
    ) -> RunResult:
        errors: list[BaseException] = []
        for bundler in s.runs.values():
            bundler.discard_bundle()
        await stop_moved(s, status == "success", errors)
        await settle_statuses(s, patient=not halt and status != "abort")
        if not halt:
            await finish_flyers(s, next(iter(s.runs.values()), None), status != "success", errors)
            await unstage_all(s, errors)
        for token in s.plan_tokens:
            self.engine.dispatcher.unsubscribe(token)
        await close_runs(s, status, reason, errors)
        await self.engine.dispatcher.stop(self.engine.subscriber_drain_timeout)
        late = self.engine.dispatcher.critical_error
        if late is not None and (status != "fail" or error is None):
            # a critical subscriber failed on the last documents, after the plan could be told
            status, reason = "fail", f"critical {late}"
            error = subscriber_failure(late, reason)
        result = RunResult(
            tuple(s.run_uids), status, reason, value, EngineState.IDLE, error,
            tuple(self.engine.dispatcher.errors),
        )  # fmt: skip
        self.engine._session = None
        self.engine._control.reach(Milestone.FINISHED)
        if not s.done.done():
            s.done.set_result(result)
        return result


def _why(suspenders: list[Any]) -> str:
    """What the interruptions stream says of a hold: the tripped suspenders' reasons."""
    reasons = [getattr(x, "reason", "") or "" for x in suspenders if x.tripped]
    return "; ".join(r for r in reasons if r) or "suspended"

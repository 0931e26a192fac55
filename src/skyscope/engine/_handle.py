"""``engine.start(plan)``: run a plan in the background and get a handle to await or control.

The handle's task runs the plan on the engine's loop through pauses: a paused plan waits for
``handle.resume()`` (or ``stop``/``abort``/``halt``). ``await handle`` returns when the plan
ends, or pauses (as ``await engine(plan)`` does: a Ctrl-C in a shell gives the prompt back),
with its RunResult. A plan that fails raises on ``await handle``; if nobody is awaiting when it
fails, the failure is logged once (a shell user sees it at the prompt).
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable, Generator
from typing import TYPE_CHECKING, Any

from ._driver import check_plan
from ._errors import EngineStateError
from ._metadata import check_keys
from ._run_progress import RunProgress
from ._state import EngineState, RunResult

if TYPE_CHECKING:
    from ._engine import Engine

logger = logging.getLogger(__name__)

Action = Callable[[], Awaitable[RunResult]]


def plan_name(plan: object) -> str:
    """The name a plan object was made by (``count``, ``mda``…), for messages."""
    if plan is None:
        return "a plan"
    return str(getattr(plan, "__name__", None) or type(plan).__name__)


class RunHandle:
    """A plan started by ``engine.start``: await it for the RunResult, or control it."""

    def __init__(
        self, engine: Engine, plan: Any, md: dict[str, Any], loop: asyncio.AbstractEventLoop
    ) -> None:
        """Start ``plan`` as a task of ``loop`` (use ``engine.start``, which checks first)."""
        self.engine = engine
        self.plan_name = plan_name(plan)
        self.progress = RunProgress()
        """Frames done of the total, ETA and lateness, updated as the documents go out."""
        self._awaited = False
        self._next: asyncio.Future[None] | None = None
        """Set while paused: done once resume or an ending was asked (``_choice`` says which)."""
        self._choice: Action | None = None
        self._choice_ends = False
        self._ending: asyncio.Task[None] | None = None
        self._pause_waiters: list[asyncio.Future[RunResult]] = []
        self._paused_result: RunResult | None = None
        self._started = False
        self._token: int | None = engine.subscribe(self.progress)
        self._task = loop.create_task(self._run(plan, md), name=f"skyscope plan {self.plan_name}")
        self._task.add_done_callback(self._on_done)

    # --- the outcome -----------------------------------------------------------------------

    def __await__(self) -> Generator[Any, None, RunResult]:
        """``await handle``: the RunResult once the plan ends, or the paused one if it pauses.

        Cancelling the ``await`` leaves the plan running.
        """
        self._awaited = True
        return self._outcome().__await__()

    async def _outcome(self) -> RunResult:
        while True:
            if self._task.done():
                return self._task.result()
            if self._waiting_in_pause():
                return self._paused_result  # type: ignore[return-value]
            reached: asyncio.Future[RunResult] = self._task.get_loop().create_future()
            self._pause_waiters.append(reached)
            try:
                await asyncio.wait([self._task, reached], return_when=asyncio.FIRST_COMPLETED)
            finally:
                reached.cancel()

    def _waiting_in_pause(self) -> bool:
        """Paused, and nobody has asked the handle to resume or end the plan yet."""
        return (
            self.engine.state is EngineState.PAUSED
            and self._next is not None
            and not self._next.done()
            and self._paused_result is not None
        )

    def done(self) -> bool:
        """True once the plan has ended (successfully or not)."""
        return self._task.done()

    def result(self) -> RunResult:
        """The RunResult of an ended plan (raises its exception if it failed)."""
        self._awaited = True
        if not self._task.done():
            raise EngineStateError(f"{self.plan_name} is still {self.state.value}: await it")
        return self._task.result()

    @property
    def state(self) -> EngineState:
        """The engine's state while the plan runs; idle once it has ended."""
        return EngineState.IDLE if self._task.done() else self.engine.state

    # --- control ---------------------------------------------------------------------------

    def pause(self, defer: bool = False) -> asyncio.Future[RunResult]:
        """Pause now (the plan rewinds to its last checkpoint on resume) or at the next one.

        Returns a future to await if you want to know when: it gives the paused RunResult
        (or the final one, should the plan end instead).
        """
        self._require_running("pause")
        self.engine.request_pause(defer)
        reached: asyncio.Future[RunResult] = self._task.get_loop().create_future()
        self._pause_waiters.append(reached)
        return reached

    def resume(self) -> RunHandle:
        """Continue a paused plan; returns the handle (``await handle.resume()``: till it ends)."""
        if self.engine.state is not EngineState.PAUSED or self._next is None:
            raise EngineStateError(f"cannot resume {self.plan_name}: it is {self.state.value}")
        self._act(self.engine.resume, ends=False)
        return self

    def stop(self) -> RunHandle:
        """End the plan after its cleanup, as a success; ``await handle.stop()`` waits for it."""
        return self._end("stop", self.engine.stop)

    def abort(self, reason: str = "") -> RunHandle:
        """End the plan after its cleanup, marked aborted with ``reason``."""
        return self._end("abort", lambda: self.engine.abort(reason))

    def halt(self) -> RunHandle:
        """End the plan without its cleanup (movers are still stopped)."""
        return self._end("halt", self.engine.halt)

    def summary(self) -> str:
        """One line: the plan, how it is doing or how it ended, and its progress."""
        task = self._task
        if not task.done():
            how = self.state.value if self._started else "starting"
        elif task.cancelled():
            how = "cancelled before it started"
        elif (error := task.exception()) is not None:
            how = f"failed: {type(error).__name__}: {error}"
        else:
            result = task.result()
            how = str(result.exit_status) + (f" ({result.reason})" if result.reason else "")
        progress = self.progress
        detail = f", {progress.summary()}" if progress.started_at is not None else ""
        return f"{self.plan_name}: {how}{detail}"

    def __repr__(self) -> str:
        return f"<RunHandle {self.summary()}>"

    # --- inside ----------------------------------------------------------------------------

    def _require_running(self, action: str) -> None:
        if self._task.done():
            raise EngineStateError(f"cannot {action} {self.plan_name}: it has ended")

    def _end(self, action: str, end: Action) -> RunHandle:
        self._require_running(action)
        if self._next is not None:  # paused: the handle's task ends it
            self._act(end, ends=True)
        elif self.engine.state is not EngineState.IDLE:
            self._ending = self._task.get_loop().create_task(_quietly(end()))
        else:  # not started yet: never start it
            self._task.cancel()
        return self

    def _act(self, action: Action, *, ends: bool) -> None:
        """Choose what the paused plan does next: an ending wins over a resume asked before."""
        if self._choice is None or ends or not self._choice_ends:
            self._choice, self._choice_ends = action, ends
        if self._next is not None and not self._next.done():
            self._next.set_result(None)

    async def _run(self, plan: Any, md: dict[str, Any]) -> RunResult:
        self._started = True
        try:
            result = await self.engine(plan, **md)
            while result.paused:
                self._paused_result = result
                self._next = asyncio.get_running_loop().create_future()
                self._tell_pause_waiters(result)
                result = await self._while_paused()
            self._tell_pause_waiters(result)
            return result
        finally:
            self._unsubscribe()

    def _tell_pause_waiters(self, result: RunResult) -> None:
        waiters, self._pause_waiters = self._pause_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(result)

    def _unsubscribe(self) -> None:
        if self._token is not None:
            self.engine.unsubscribe(self._token)
            self._token = None

    async def _while_paused(self) -> RunResult:
        """Wait for the handle's resume/stop/abort, or for someone else to end the plan."""
        session, choice = self.engine._session, self._next
        assert choice is not None
        waits: list[asyncio.Future[Any]] = [choice]
        if session is not None:
            waits.append(asyncio.shield(session.done))
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._next = self._paused_result = None
            action, self._choice, self._choice_ends = self._choice, None, False
            for wait in waits[1:]:
                wait.cancel()
        if action is not None:
            return await action()
        assert session is not None
        return session.done.result()  # type: ignore[no-any-return]

    def _on_done(self, task: asyncio.Task[RunResult]) -> None:
        self._unsubscribe()  # a task cancelled before it ran never reached its own
        for waiter in self._pause_waiters:  # the plan failed: its failure goes to ``await``
            waiter.cancel()
        if task.cancelled():
            return
        error = task.exception()  # retrieved here: asyncio does not warn a second time
        if error is not None and not self._awaited:
            logger.error(
                "plan %s failed: %s: %s",
                self.plan_name,
                type(error).__name__,
                error,
                exc_info=error,
            )


async def _quietly(ending: Awaitable[RunResult]) -> None:
    """Await an ending whose result the handle's own task reports."""
    try:
        await ending
    except Exception:  # the same failure surfaces on ``await handle``
        logger.debug("ending the plan raised", exc_info=True)


def start_plan(engine: Engine, plan: Any, md: dict[str, Any]) -> RunHandle:
    """Check that ``plan`` can start on ``engine`` now, then start it; see ``Engine.start``."""
    busy = engine._handle
    if busy is not None and not busy.done():
        raise EngineStateError(
            f"the engine is running {busy.plan_name} (started with engine.start): "
            "await it, or end it with handle.stop() or handle.abort(), before starting another"
        )
    if engine.state is not EngineState.IDLE:
        session = engine._session
        under_way = plan_name(None if session is None else session.driver.outermost)
        raise EngineStateError(
            f"the engine is {engine.state.value} with {under_way}: wait for it, resume or "
            "abort it before starting another"
        )
    check_plan(plan)
    check_keys(md, "run metadata")
    handle = RunHandle(engine, plan, md, _loop())
    engine._handle = handle
    return handle


def _loop() -> asyncio.AbstractEventLoop:
    """The running loop, or (in a shell's plain cell) the loop set for this thread."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)  # never make a loop nobody runs
        try:
            loop = asyncio.get_event_loop()
        except (RuntimeError, DeprecationWarning):
            loop = None
    if loop is None or loop.is_closed():
        raise EngineStateError(
            "engine.start needs an event loop: call it from async code, or in `skyscope "
            "shell`, whose loop keeps running between prompts"
        )
    return loop

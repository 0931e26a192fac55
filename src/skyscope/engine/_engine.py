"""The engine: runs plans on the caller's event loop and turns them into documents.

``result = await engine(plan, **md)`` works in any running loop — an IPython ``%autoawait``
shell, a web handler, a pytest-asyncio test — and never blocks it: every wait is an ``await``.
The engine steps the plan, hands each message to its command handler, and between messages
acts on control requests (pause, stop, abort, halt, suspenders).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import weakref
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

from .._paths import metadata_path
from ._claims import claiming
from ._cleanup import call_on_seen
from ._control import Control, Milestone, Request
from ._dispatcher import (
    DEFAULT_BUFFER_BYTES,
    DEFAULT_BUFFER_DOCS,
    ESCAPE_TIMEOUT_S,
    Dispatcher,
)
from ._driver import PlanDriver
from ._engine_publishing import Commanding, Publishing
from ._engine_suspenders import Suspending
from ._errors import (
    EngineStateError,
)
from ._handle import RunHandle, start_plan
from ._interruptions import record_interruption
from ._loop import PlanLoop
from ._metadata import (
    MetadataNormalizer,
    MetadataValidator,
    PersistentDict,
    ScanIdSource,
    check_keys,
    next_scan_id,
    versions,
)
from ._msg import Msg, Plan
from ._progress import ProgressCallback, watcher_for
from ._registry import COMMANDS, Command
from ._run_context import RunContext, entered, sigint_while_running
from ._session import Session
from ._sigint import SigintHandler
from ._simulation import DEFAULT_MAX_MESSAGES, DryRunSummary, Simulation
from ._state import NO_PLAN_RETURN, EngineState, RunResult
from ._state_hook import StateHook
from ._suspenders import Suspender

logger = logging.getLogger(__name__)


class Engine(Publishing, Commanding, Suspending):
    """Run plans, emit their documents to subscribers, and obey pause/resume/stop/abort/halt."""

    NO_PLAN_RETURN = NO_PLAN_RETURN
    """``RunResult.plan_result`` of a plan that never returned (as bluesky's RunEngine)."""

    def __init__(
        self,
        md: MutableMapping[str, Any] | None = None,
        *,
        md_validator: MetadataValidator | None = None,
        progress: ProgressCallback | None = None,
        handle_sigint: bool = True,
        subscriber_buffer: int = DEFAULT_BUFFER_DOCS,
        subscriber_buffer_bytes: int = DEFAULT_BUFFER_BYTES,
        subscriber_drain_timeout: float | None = None,
        raise_on_fail: bool = True,
    ) -> None:
        """Make an engine; ``md`` is its persistent metadata (a ``PersistentDict`` by default).

        ``subscriber_buffer`` and ``subscriber_buffer_bytes`` are the default bounds of a
        subscriber's buffer; ``subscriber_drain_timeout`` bounds how long the end of a plan
        waits for subscribers to take what is buffered (None: as long as they need).
        """
        self.md: MutableMapping[str, Any] = (
            md if md is not None else PersistentDict(metadata_path())
        )
        self.md_validator = md_validator
        self.md_normalizer: MetadataNormalizer | None = None
        """Gives the start metadata its final form (bluesky's ``md_normalizer``)."""
        self.scan_id_source: ScanIdSource = next_scan_id
        """Gives each run's scan id from ``md`` (bluesky's ``scan_id_source``)."""
        known = {**self.md.get("versions", {}), **versions()}
        if self.md.get("versions") != known:  # as bluesky's RunEngine: md says what runs it
            self.md["versions"] = known
        self.progress = progress
        self.raise_on_fail = raise_on_fail
        self.dispatcher = Dispatcher(subscriber_buffer, subscriber_buffer_bytes)
        self.subscriber_drain_timeout = subscriber_drain_timeout
        self.last_result: RunResult | None = None
        self._commands: dict[str, Command] = claiming(COMMANDS)  # one device, one driver
        self._suspenders: list[Suspender] = []
        self._rewindable = True
        self._bluesky_suspenders: list[Any] = []
        self._control = Control()
        self._session: Session | None = None
        self._sigint = SigintHandler(self.request_pause) if handle_sigint else None
        self.context_managers: list[RunContext] = [sigint_while_running] if handle_sigint else []
        """Entered around each stretch of a run, as ``factory(engine)`` (bluesky's
        ``RE.context_managers``); the default takes Ctrl-C while a plan runs."""
        self._streams: set[asyncio.Queue[tuple[str, Any] | None]] = set()
        self._runner: asyncio.Runner | None = None
        self._handle: RunHandle | None = None
        self.msg_hook: Callable[[Msg], Any] | None = None
        """Called with every message before the engine acts on it (logging, debugging)."""
        self.waiting_hook: Callable[[Any], Any] | None = None
        """Told each ``wait``'s Statuses (a set) as it starts, and None when it ends (bluesky's)."""
        self.record_interruptions = False
        """Emit an 'interruptions' event in the open runs at each pause, resume and hold."""

    # --- what the engine is doing ----------------------------------------------------------

    @property
    def state(self) -> EngineState:
        """idle, running, pausing, paused, suspended, stopping, aborting or halting."""
        return self._control.state

    @property
    def state_hook(self) -> StateHook | None:
        """Called ``(new, old)`` at every change of ``state`` (bluesky's ``RE.state_hook``)."""
        return self._control.state_hook

    @state_hook.setter
    def state_hook(self, hook: StateHook | None) -> None:
        self._control.state_hook = hook

    @property
    def handle(self) -> RunHandle | None:
        """The handle of the last plan ``start`` began (done once it has ended), if any."""
        return self._handle

    @property
    def rewindable(self) -> bool:
        """Whether messages since the last checkpoint may be replayed (``Msg('rewindable')``).

        Set it to start every plan non-rewindable, as bluesky's ``RE.rewindable``.
        """
        session = self._session
        return session.rewind.rewindable if session is not None else self._rewindable

    @rewindable.setter
    def rewindable(self, value: bool) -> None:
        self._rewindable = bool(value)
        if self._session is not None:
            self._session.rewind.rewindable = self._rewindable

    @property
    def session(self) -> Session:
        """The plan execution under way (for command handlers)."""
        if self._session is None:
            raise EngineStateError("no plan is running")
        return self._session

    def watch_progress(self, status: Any, obj: Any) -> None:
        """Connect a watchable Status to the progress callback."""
        if self.progress is None:
            return
        watch = getattr(status, "watch", None)
        if callable(watch):
            watch(watcher_for(str(getattr(obj, "name", obj)), self.progress))

    # --- running plans ---------------------------------------------------------------------

    async def __call__(self, plan: Plan, **md: Any) -> RunResult:
        """Run ``plan`` to its end, or until paused; ``md`` goes into every start document."""
        return await self._start(plan, md, None)

    def start(self, plan: Plan, **md: Any) -> RunHandle:
        """Start ``plan`` in the background on the loop and return at once with its handle.

        ``await handle`` gives the RunResult; ``handle.stop()``, ``abort()``, ``pause()``,
        ``resume()`` control it; ``handle.progress`` counts its frames. Refused (with the
        name of the plan under way) while another plan runs on this engine.
        """
        return start_plan(self, plan, md)

    async def dry_run(
        self,
        plan: Plan,
        *,
        limits: Mapping[Any, tuple[float, float]] | None = None,
        positions: Mapping[Any, Any] | None = None,
        readings: Mapping[Any, Mapping[str, Any]] | None = None,
        max_messages: int = DEFAULT_MAX_MESSAGES,
    ) -> DryRunSummary:
        """Run ``plan`` through this engine's plan loop against a simulated instrument.

        Every command answers with its dry-run response: no device method is called and no
        document is emitted. ``limits`` (by axis or its name) are checked against every
        target; ``positions`` say where axes start; ``readings`` (by device or its name) are what
        reads of those devices answer, for plans that decide from what they read (autofocus).
        A plan that would fail raises here.
        """
        simulation = Simulation(
            {_axis_name(k): v for k, v in (limits or {}).items()},
            {_axis_name(k): v for k, v in (positions or {}).items()},
            max_messages,
            {_axis_name(k): v for k, v in (readings or {}).items()},
        )
        result = await self._start(plan, {}, simulation)
        if result.paused:  # a pause asked from outside (Ctrl-C): a dry run has nothing to keep
            result = await self.abort("a dry run does not pause")
        if result.exception is not None and result.exit_status == "fail":
            raise result.exception
        return simulation.summary()

    async def _start(
        self, plan: Any, md: dict[str, Any], simulation: Simulation | None
    ) -> RunResult:
        state = self._control.state
        if state is not EngineState.IDLE:
            raise EngineStateError(
                f"the engine is {state.value}: wait for the plan under way, resume or abort it "
                "before starting another"
            )
        check_keys(md, "run metadata")
        check_keys(self.md, "engine.md")
        session = Session(PlanDriver(plan), dict(md), asyncio.get_running_loop())
        session.simulation = simulation
        session.rewind.rewindable = self._rewindable
        self._session = session
        self.dispatcher.reset()
        self._control.reach(Milestone.START)
        self._hold_if_pretripped()  # before the first message, as bluesky
        return await self._run(session)

    async def resume(self) -> RunResult:
        """Continue a paused plan from its last checkpoint."""
        session = self._require(EngineState.PAUSED, "resume")
        self._control.reach(Milestone.RESUME)
        self.dispatcher.calm()
        if self.record_interruptions:
            self.dispatcher.start()
            await record_interruption(session, "resume", self.dispatcher.emit)
        errors: list[BaseException] = []
        await call_on_seen(session, "resume", errors)
        if not self._hold_if_tripped():  # else the hold's end rewinds
            session.start_replay()
        return await self._run(session)

    def request_pause(self, defer: bool = False) -> None:
        """Pause now (rewinding to the last checkpoint on resume) or at the next checkpoint."""
        self._control.ask_pause(defer)
        if not defer:
            self._interrupt()

    @property
    def deferred_pause_requested(self) -> bool:
        """True while a pause waits for the next checkpoint (after a run: one it never reached)."""
        return self._control.deferred_pause

    def take_sigint(self) -> None:
        """Take Ctrl-C back for the plan under way (a prompt that ran meanwhile took it over).

        ``skyscope shell`` calls it before each cell, so Ctrl-C pauses a background plan.
        """
        if self._sigint is not None and self._sigint.armed and self._session is not None:
            self._sigint.remove()
            self._sigint.install(self._session.loop)

    def checkpoint_reached(self) -> None:
        """A checkpoint passed: post the pause deferred until now, if any (for handlers)."""
        if self._control.at_checkpoint():
            self._interrupt()

    async def stop(self) -> RunResult:
        """End the plan now, after its cleanup, marking the run a success."""
        return await self._end(Request.STOP, "")

    async def abort(self, reason: str = "") -> RunResult:
        """End the plan now, after its cleanup, marking the run aborted with ``reason``."""
        return await self._end(Request.ABORT, reason)

    async def halt(self) -> RunResult:
        """End the plan now without letting it clean up (movers are still stopped)."""
        return await self._end(Request.HALT, "halted")

    def run_sync(self, plan_or_awaitable: Any, **md: Any) -> Any:
        """Run a plan (or ``engine.resume()``…) from plain synchronous code, on a private loop."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            raise RuntimeError("an event loop is running here: use `await engine(plan)` instead")
        if self._runner is None:
            self._runner = asyncio.Runner()
            weakref.finalize(self, self._runner.close)
        if inspect.isawaitable(plan_or_awaitable):
            return self._runner.run(plan_or_awaitable)  # type: ignore[arg-type]
        return self._runner.run(self(plan_or_awaitable, **md))

    def close(self) -> None:
        """Close the private loop ``run_sync`` made, if any."""
        if self._runner is not None:
            self._runner.close()
            self._runner = None

    # --- inside ----------------------------------------------------------------------------

    def _require(self, state: EngineState, action: str) -> Session:
        if self._control.state is not state or self._session is None:
            raise EngineStateError(f"cannot {action}: the engine is {self._control.state.value}")
        return self._session

    async def _end(self, request: Request, reason: str) -> RunResult:
        session = self._session
        if session is None:
            raise EngineStateError(f"cannot {request.value}: no plan is running")
        self._post(request, reason)
        self.dispatcher.hurry(ESCAPE_TIMEOUT_S)
        if self._control.state is EngineState.PAUSED:
            return await self._run(session)
        return await asyncio.shield(session.done)

    async def _end_abandoned(self, s: Session, error: BaseException) -> RunResult:
        """End a run whose task was cancelled (or broke): close the plan, clean up, stop."""
        self.dispatcher.hurry(ESCAPE_TIMEOUT_S)
        # Cancelled while pausing, the subscribers may have been half-way through stopping:
        # let them finish, then start them again for the stop documents.
        await self.dispatcher.stop()
        self.dispatcher.start()
        if isinstance(error, asyncio.CancelledError):
            s.exit_override = ("abort", "the task running the plan was cancelled")
        else:
            s.exit_override = ("fail", f"the engine failed: {type(error).__name__}: {error}")
        await s.driver.close()
        return await PlanLoop(self).finish(s, None, NO_PLAN_RETURN)

    async def _run(self, s: Session) -> RunResult:
        self.dispatcher.start()
        try:
            with contextlib.ExitStack() as stack:
                entered(self, stack)
                result = await PlanLoop(self).drive(s)
        except BaseException as error:
            if self._session is s:  # not ended yet (a context manager may refuse to enter)
                self.last_result = await self._end_abandoned(s, error)
            raise
        finally:
            for queue in list(self._streams):
                queue.put_nowait(None)
        self.last_result = result
        if result.exit_status == "fail" and result.exception is not None and self.raise_on_fail:
            raise result.exception
        return result


def _axis_name(key: Any) -> str:
    return key if isinstance(key, str) else str(getattr(key, "name", None) or repr(key))

"""Every opened run gets exactly one valid stop document, on every path (a property test).

Random plans from a grammar of messages (runs nested by key, events, moves, acquisitions,
sleeps, checkpoints, pauses), random device faults (raising, a failing status, a status that
never completes, bounded by a timeout) and random control requests from outside the plan
(pause now or at a checkpoint, stop, abort, halt, cancelling the task that runs the plan),
followed by random answers to a pause (resume, stop, abort, halt). The documents of every run
must satisfy ``RunChecker`` and each start must have exactly one stop.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from skyscope.devices import SoftDetector, SoftMotor, Status
from skyscope.documents import RunChecker
from skyscope.engine import Engine, EngineState, EngineStateError, Msg

FAULTS = ("none", "none", "raise", "fail", "hang")
CONTROLS = ("pause", "defer_pause", "stop", "abort", "halt", "cancel")
AFTER_PAUSE = ("resume", "resume", "stop", "abort", "halt")
HANG_TIMEOUT_S = 0.01
# A scenario takes well under a second: longer is a hang, shown with its example.
SCENARIO_BOUND_S = 20


class FaultyMotor(SoftMotor):
    """A soft motor whose next move can raise, fail, or never finish (as a real one might)."""

    fault = "none"
    hung: list[Status[Any]]

    def set(self, value: float) -> Any:  # type: ignore[override]  # no timeout: no grace
        if self.fault == "raise":
            raise RuntimeError(f"{self.name} refused the move")
        if self.fault == "fail":
            return Status(_broken(), name=self.name, action=f"set({value})")
        if self.fault == "hang":
            status: Status[Any] = Status(asyncio.Event().wait(), name=self.name, action="set")
            self.__dict__.setdefault("hung", []).append(status)
            return status
        return super().set(value)

    async def stop(self, success: bool = True) -> None:
        for status in self.__dict__.pop("hung", []):
            status.cancel("stopped")
        await super().stop(success)


async def _broken() -> None:
    raise RuntimeError("the drive reported a following error")


# --- the grammar -----------------------------------------------------------------------------


def _steps(depth: int, in_run: bool) -> st.SearchStrategy[list[tuple[Any, ...]]]:
    simple = [
        st.tuples(st.just("set"), st.floats(-5, 5), st.sampled_from(FAULTS)),
        st.tuples(st.just("trigger")),
        st.tuples(st.just("sleep"), st.sampled_from([0.0, 0.001])),
        st.tuples(st.just("checkpoint")),
        st.tuples(st.just("pause")),
        st.tuples(st.just("control"), st.sampled_from(CONTROLS)),
    ]
    if in_run:
        simple.append(st.tuples(st.just("event"), st.booleans()))
    step = st.one_of(*simple)
    if depth > 0:
        nested = st.tuples(st.just("run"), st.integers(0, 2), _steps(depth - 1, True))
        step = st.one_of(step, nested)
    return st.lists(step, max_size=6)


@dataclass
class Rig:
    """The devices and engine of one example, and the requests fired from outside."""

    engine: Engine
    motor: FaultyMotor
    det: SoftDetector
    plan_task: asyncio.Task[Any] | None = None
    helpers: list[asyncio.Task[Any]] = field(default_factory=list)

    def fire(self, control: str) -> None:
        """Post ``control`` from outside the plan, as another task would."""
        loop = asyncio.get_running_loop()
        loop.call_soon(self._fire_now, control)

    def _fire_now(self, control: str) -> None:
        engine = self.engine
        try:
            if control in ("pause", "defer_pause"):
                engine.request_pause(defer=control == "defer_pause")
            elif control == "cancel":
                if self.plan_task is not None:
                    self.plan_task.cancel()
            else:
                ending = {"stop": engine.stop, "abort": engine.abort, "halt": engine.halt}
                self.helpers.append(asyncio.ensure_future(_quietly(ending[control]())))
        except EngineStateError:
            pass  # the plan already ended or paused: nothing to ask of it


async def _quietly(request: Any) -> None:
    with contextlib.suppress(EngineStateError, RuntimeError):
        await request


def _plan(rig: Rig, steps: list[tuple[Any, ...]], key: Any = None) -> AsyncGenerator[Any, Any]:
    async def plan() -> AsyncGenerator[Any, Any]:
        for n, step in enumerate(steps):
            kind = step[0]
            if kind == "run":
                inner_key = f"r{step[1]}-{id(step)}"
                yield Msg("open_run", run=inner_key)
                yield _plan(rig, step[2], inner_key)
                yield Msg("close_run", run=inner_key)
            elif kind == "event":
                yield Msg("create", name="primary", run=key)
                yield Msg("read", rig.det, run=key)
                if step[1]:
                    yield Msg("read", rig.motor, run=key)
                yield Msg("save", run=key)
            elif kind == "set":
                rig.motor.fault = step[2]
                group = f"g{n}-{id(step)}"
                timeout = {"timeout": HANG_TIMEOUT_S} if step[2] == "hang" else {}
                yield Msg("set", rig.motor, step[1], group=group, **timeout)
                yield Msg("wait", None, group=group)
            elif kind == "trigger":
                group = f"t{n}-{id(step)}"
                yield Msg("trigger", rig.det, group=group)
                yield Msg("wait", None, group=group)
            elif kind == "sleep":
                yield Msg("sleep", None, step[1])
            elif kind == "checkpoint":
                yield Msg("checkpoint")
            elif kind == "pause":
                yield Msg("pause")
            elif kind == "control":
                rig.fire(step[1])
                yield Msg("null")

    return plan()


# --- the check -------------------------------------------------------------------------------


class PerRun:
    """Route each document to its run's RunChecker; count each run's stops."""

    def __init__(self) -> None:
        self.checkers: dict[str, RunChecker] = {}
        self.run_of: dict[str, str] = {}  # descriptor uid -> start uid
        self.stops: dict[str, int] = {}
        self.exits: list[str] = []

    def __call__(self, name: str, doc: Any) -> None:
        if name == "start":
            self.checkers[doc["uid"]] = RunChecker()
            self.stops[doc["uid"]] = 0
            run = doc["uid"]
        elif name == "descriptor":
            run = doc["run_start"]
            self.run_of[doc["uid"]] = run
        elif name == "stop":
            run = doc["run_start"]
            self.stops[run] += 1
            self.exits.append(doc["exit_status"])
        elif name == "event":
            run = self.run_of[doc["descriptor"]]
        else:
            raise AssertionError(f"unexpected document {name}")
        self.checkers[run](name, doc)


async def _scenario(steps: list[tuple[Any, ...]], after_pause: list[str]) -> None:
    motor = FaultyMotor("m", velocity=float("inf"))
    det = SoftDetector("det")
    await motor.connect()
    await det.connect()
    engine = Engine(md={}, handle_sigint=False, raise_on_fail=False)
    docs = PerRun()
    engine.subscribe(docs)
    rig = Rig(engine, motor, det)

    async def run_to_the_end() -> None:
        result = await engine(_plan(rig, [("run", 0, steps)]))
        answers = iter(after_pause)
        while result.paused:
            answer = next(answers, "abort")
            try:
                if answer == "resume":
                    result = await engine.resume()
                else:
                    result = await getattr(engine, answer)()
            except EngineStateError:
                await asyncio.gather(*rig.helpers)  # another task is ending it
                break

    rig.plan_task = asyncio.ensure_future(run_to_the_end())
    with contextlib.suppress(asyncio.CancelledError):
        await rig.plan_task
    await asyncio.gather(*rig.helpers)
    assert engine.state is EngineState.IDLE
    assert docs.stops, "the outermost run never opened"
    assert all(n == 1 for n in docs.stops.values()), docs.stops
    event(f"outermost run: {docs.exits[-1]}")
    event(f"runs: {len(docs.stops)}")


@settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(_steps(2, True), st.lists(st.sampled_from(AFTER_PAUSE), max_size=4))
async def test_every_opened_run_gets_exactly_one_valid_stop(
    steps: list[tuple[Any, ...]], after_pause: list[str]
) -> None:
    async with asyncio.timeout(SCENARIO_BOUND_S):
        await _scenario(steps, after_pause)

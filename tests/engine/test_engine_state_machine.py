"""The control state machine on its own: states x requests -> transitions, without a loop."""

from __future__ import annotations

import pytest

from skyscope.engine import EngineState, EngineStateError
from skyscope.engine._control import (
    MILESTONES,
    TRANSITIONS,
    Action,
    Control,
    Milestone,
    Request,
    Transition,
)

S, R, A, M = EngineState, Request, Action, Milestone

TABLE = [
    # state, request taken, state after, what the loop does
    (S.RUNNING, R.HALT, S.HALTING, A.HALT),
    (S.RUNNING, R.ABORT, S.ABORTING, A.ABORT),
    (S.RUNNING, R.STOP, S.STOPPING, A.STOP),
    (S.RUNNING, R.PAUSE, S.PAUSING, A.PAUSE),
    (S.RUNNING, R.SUSPEND, S.RUNNING, A.SUSPEND),
    (S.PAUSING, R.PAUSE, S.PAUSING, A.PAUSE),
    (S.PAUSING, R.ABORT, S.ABORTING, A.ABORT),
    (S.PAUSING, R.STOP, S.STOPPING, A.STOP),
    (S.PAUSING, R.SUSPEND, S.PAUSING, A.NONE),
    (S.PAUSED, R.STOP, S.STOPPING, A.STOP),
    (S.PAUSED, R.ABORT, S.ABORTING, A.ABORT),
    (S.PAUSED, R.HALT, S.HALTING, A.HALT),
    (S.PAUSED, R.PAUSE, S.PAUSED, A.NONE),
    (S.SUSPENDED, R.ABORT, S.ABORTING, A.ABORT),
    (S.SUSPENDED, R.STOP, S.STOPPING, A.STOP),
    (S.SUSPENDED, R.SUSPEND, S.SUSPENDED, A.NONE),
    (S.SUSPENDED, R.PAUSE, S.PAUSING, A.PAUSE),  # the prompt back while a suspender holds
    (S.STOPPING, R.ABORT, S.ABORTING, A.ABORT),  # an abort overrides a stop
    (S.STOPPING, R.STOP, S.STOPPING, A.NONE),
    (S.STOPPING, R.PAUSE, S.STOPPING, A.NONE),
    (S.STOPPING, R.HALT, S.HALTING, A.HALT),
    (S.ABORTING, R.STOP, S.ABORTING, A.NONE),  # the first ending stands
    (S.ABORTING, R.ABORT, S.ABORTING, A.NONE),
    (S.ABORTING, R.HALT, S.HALTING, A.HALT),
    (S.HALTING, R.ABORT, S.HALTING, A.NONE),
    (S.HALTING, R.HALT, S.HALTING, A.NONE),
]


@pytest.mark.parametrize(("state", "request_", "after", "action"), TABLE)
def test_a_request_moves_the_engine_by_its_row(
    state: EngineState, request_: Request, after: EngineState, action: Action
) -> None:
    assert TRANSITIONS[state, request_] == Transition(after, action)
    control = Control()
    control.state = state
    control.posted.add(request_)
    assert control.take() == Transition(after, action)
    assert control.state is after


def test_every_state_but_idle_answers_every_request() -> None:
    expected = {(s, r) for s in EngineState if s is not S.IDLE for r in Request}
    assert set(TRANSITIONS) == expected


MILESTONE_TABLE = [
    (S.IDLE, M.START, S.RUNNING),
    (S.RUNNING, M.PAUSE_ASKED, S.PAUSING),
    (S.PAUSING, M.PAUSED, S.PAUSED),
    (S.PAUSED, M.RESUME, S.RUNNING),
    (S.RUNNING, M.SUSPENDED, S.SUSPENDED),
    (S.SUSPENDED, M.CLEARED, S.RUNNING),
    (S.HALTING, M.FINISHED, S.IDLE),
    (S.PAUSING, M.FINISHED, S.IDLE),
]


@pytest.mark.parametrize(("state", "milestone", "after"), MILESTONE_TABLE)
def test_a_milestone_moves_the_engine(
    state: EngineState, milestone: Milestone, after: EngineState
) -> None:
    control = Control()
    control.state = state
    assert control.reach(milestone) is after
    assert control.state is after


IMPOSSIBLE = [
    (S.RUNNING, M.START),
    (S.RUNNING, M.RESUME),
    (S.PAUSING, M.RESUME),
    (S.RUNNING, M.PAUSED),
    (S.PAUSED, M.CLEARED),
    (S.IDLE, M.PAUSED),
]


@pytest.mark.parametrize(("state", "milestone"), IMPOSSIBLE)
def test_an_impossible_milestone_is_refused(state: EngineState, milestone: Milestone) -> None:
    control = Control()
    control.state = state
    assert (state, milestone) not in MILESTONES
    with pytest.raises(EngineStateError, match=state.value):
        control.reach(milestone)
    assert control.state is state


def test_requests_are_taken_most_urgent_first() -> None:
    control = Control()
    control.reach(M.START)
    for request in (R.SUSPEND, R.STOP, R.HALT):
        control.post(request)
    assert control.take().action is A.HALT
    assert control.posted == {R.STOP}  # an ending drops suspensions and pauses
    assert control.take().action is A.NONE  # already halting
    with pytest.raises(LookupError):
        control.take()


def test_a_pause_makes_the_engine_pausing_at_once_and_an_ending_beats_it() -> None:
    control = Control()
    control.reach(M.START)
    control.ask_pause(defer=False)
    assert control.state is S.PAUSING
    control.post(R.ABORT, "lamp failed")
    assert control.ending_posted
    assert control.take() == Transition(S.ABORTING, A.ABORT)
    assert control.reason == "lamp failed"
    assert control.posted == set()


def test_a_deferred_pause_waits_for_a_checkpoint() -> None:
    control = Control()
    control.reach(M.START)
    control.ask_pause(defer=True)
    assert control.state is S.RUNNING
    assert not control.posted
    assert control.at_checkpoint()
    assert control.state is S.PAUSING
    assert control.posted == {R.PAUSE}
    assert not control.at_checkpoint()  # once


@pytest.mark.parametrize("state", [S.IDLE, S.PAUSING, S.PAUSED, S.STOPPING])
def test_only_a_running_plan_can_be_asked_to_pause(state: EngineState) -> None:
    control = Control()
    control.state = state
    with pytest.raises(EngineStateError, match="cannot pause"):
        control.ask_pause(defer=False)


def test_nothing_can_be_requested_of_an_idle_engine() -> None:
    with pytest.raises(EngineStateError, match="no plan is running"):
        Control().post(R.STOP)


def test_a_whole_pause_resume_stop_cycle() -> None:
    control = Control()
    control.reach(M.START)
    control.post(R.PAUSE)
    assert control.take().action is A.PAUSE
    control.reach(M.PAUSED)
    control.reach(M.RESUME)
    control.post(R.STOP)
    assert control.take() == Transition(S.STOPPING, A.STOP)
    control.reach(M.FINISHED)
    assert control.state is S.IDLE
    assert not control.posted
    assert not control.deferred_pause


def test_a_deferred_pause_never_reached_outlives_the_run_until_the_next_start() -> None:
    control = Control()
    control.reach(M.START)
    control.ask_pause(defer=True)
    control.reach(M.FINISHED)  # the plan ended before a checkpoint
    assert control.deferred_pause  # bluesky's deferred_pause_requested still says so
    assert not control.posted
    control.reach(M.START)
    assert not control.deferred_pause


@pytest.mark.parametrize("defer", [False, True])
def test_a_held_plan_can_be_asked_to_pause(defer: bool) -> None:
    control = Control()
    control.reach(M.START)
    control.reach(M.SUSPENDED)
    control.ask_pause(defer)
    assert control.state is S.SUSPENDED  # the hold ends first, then the loop pauses
    assert control.deferred_pause is defer
    assert control.posted == (set() if defer else {R.PAUSE})

"""The engine's control state machine, as a pure object: states x requests -> transitions.

Control requests (halt, abort, stop, pause, suspend) are posted from anywhere and taken at
the next message boundary, most urgent first; each taken request moves the engine by one row
of ``TRANSITIONS`` and tells the plan loop what to do (``Action``). The plan loop's own
milestones (started, paused, resumed, suspended, cleared, finished) move it by ``MILESTONES``.
No I/O, no event loop: every rule can be tested by table.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ._errors import EngineStateError
from ._state import EngineState
from ._state_hook import StateHook, tell_state_hook

S = EngineState


class Request(enum.StrEnum):
    """A control request, in order of urgency: a halt beats an abort, a stop, a pause…"""

    HALT = "halt"
    ABORT = "abort"
    STOP = "stop"
    PAUSE = "pause"
    SUSPEND = "suspend"


class Milestone(enum.StrEnum):
    """Something the plan loop reached."""

    START = "start"
    """A plan begins."""
    PAUSE_ASKED = "pause_asked"
    """A pause was posted: the engine is pausing until the loop acts on it."""
    PAUSED = "paused"
    """Devices rested and documents flushed: ``resume()`` may continue."""
    RESUME = "resume"
    """``resume()`` of a paused plan."""
    SUSPENDED = "suspended"
    """A tripped suspender holds the plan."""
    CLEARED = "cleared"
    """Every suspender cleared: the plan goes on."""
    FINISHED = "finished"
    """The plan ended and its runs are closed."""


class Action(enum.StrEnum):
    """What the plan loop does with a request it took."""

    HALT = "halt"
    """Close the plan without its cleanup; stop movers; close runs as aborted."""
    ABORT = "abort"
    """Throw RequestAbort into the plan; its cleanup runs; runs close as aborted."""
    STOP = "stop"
    """Throw RequestStop into the plan; its cleanup runs; runs close as a success."""
    PAUSE = "pause"
    """Rest the devices and return a paused result (or abort if it cannot rewind)."""
    SUSPEND = "suspend"
    """Rest the devices and hold while suspenders are tripped, then rewind."""
    NONE = "none"
    """Nothing: the run is already ending (the first ending stands) or halting."""


@dataclass(frozen=True)
class Transition:
    """Where a request takes the engine, and what the plan loop does about it."""

    state: EngineState
    action: Action


def _transitions() -> dict[tuple[EngineState, Request], Transition]:
    table: dict[tuple[EngineState, Request], Transition] = {}
    live = (S.RUNNING, S.PAUSING, S.PAUSED, S.SUSPENDED)
    for state in (*live, S.STOPPING, S.ABORTING):
        table[state, Request.HALT] = Transition(S.HALTING, Action.HALT)
    for state in (*live, S.STOPPING):  # an abort overrides a stop under way
        table[state, Request.ABORT] = Transition(S.ABORTING, Action.ABORT)
    for state in live:
        table[state, Request.STOP] = Transition(S.STOPPING, Action.STOP)
    table[S.RUNNING, Request.PAUSE] = Transition(S.PAUSING, Action.PAUSE)
    table[S.PAUSING, Request.PAUSE] = Transition(S.PAUSING, Action.PAUSE)
    # a pause while a suspender holds gives the prompt back; resume holds again if still tripped
    table[S.SUSPENDED, Request.PAUSE] = Transition(S.PAUSING, Action.PAUSE)
    table[S.RUNNING, Request.SUSPEND] = Transition(S.RUNNING, Action.SUSPEND)
    for request in Request:  # whatever is not above changes nothing
        for state in EngineState:
            if state is not S.IDLE:
                table.setdefault((state, request), Transition(state, Action.NONE))
    return table


TRANSITIONS: dict[tuple[EngineState, Request], Transition] = _transitions()
"""(state, request taken) -> transition, for every state but idle (nothing to control)."""

MILESTONES: dict[tuple[EngineState, Milestone], EngineState] = {
    (S.IDLE, Milestone.START): S.RUNNING,
    (S.RUNNING, Milestone.PAUSE_ASKED): S.PAUSING,
    (S.PAUSING, Milestone.PAUSED): S.PAUSED,
    (S.PAUSED, Milestone.RESUME): S.RUNNING,
    (S.RUNNING, Milestone.SUSPENDED): S.SUSPENDED,
    (S.SUSPENDED, Milestone.CLEARED): S.RUNNING,
    **{(state, Milestone.FINISHED): S.IDLE for state in EngineState},
}
"""(state, milestone) -> state; a milestone not listed for a state is a bug, and raises."""

ENDING = frozenset({Request.HALT, Request.ABORT, Request.STOP})
"""Requests that end the run: a pause under way gives way to them."""


class Control:
    """The engine's state and the control requests waiting to be taken."""

    def __init__(self) -> None:
        self.state = S.IDLE
        self.posted: set[Request] = set()
        """The requests waiting, to be taken most urgent first."""
        self.deferred_pause = False
        """A pause asked for at the next checkpoint."""
        self.reason = ""
        """Why the run is being aborted (the last abort's reason)."""
        self.state_hook: StateHook | None = None
        """Told ``(new, old)`` at every change of state (bluesky's ``RE.state_hook``)."""

    def _move(self, state: EngineState) -> None:
        old, self.state = self.state, state
        if self.state_hook is not None and state is not old:
            tell_state_hook(self.state_hook, state, old)

    def reach(self, milestone: Milestone) -> EngineState:
        """Move the engine by ``milestone``; raise EngineStateError where it cannot happen."""
        after = MILESTONES.get((self.state, milestone))
        if after is None:
            raise EngineStateError(f"cannot {milestone.value}: the engine is {self.state.value}")
        self._move(after)
        if milestone is Milestone.START:
            self.clear()
        elif milestone is Milestone.FINISHED:  # a deferred pause never reached still shows
            self.posted.clear()
            self.reason = ""
        return after

    def post(self, request: Request, reason: str | None = None) -> None:
        """Ask for ``request``; a pause of a running plan makes the engine pausing at once."""
        if self.state is S.IDLE:
            raise EngineStateError(f"cannot {request.value}: no plan is running")
        if reason is not None:
            self.reason = reason
        self.posted.add(request)
        if request is Request.PAUSE and self.state is S.RUNNING:
            self.reach(Milestone.PAUSE_ASKED)

    def ask_pause(self, defer: bool) -> None:
        """A pause now (rewinding on resume) or at the next checkpoint; while running or held."""
        if self.state is not S.RUNNING and self.state is not S.SUSPENDED:
            raise EngineStateError(f"cannot pause: the engine is {self.state.value}")
        if defer:
            self.deferred_pause = True
        else:  # a pause now supersedes one deferred to the next checkpoint (as in bluesky)
            self.deferred_pause = False
            self.post(Request.PAUSE)

    def at_checkpoint(self) -> bool:
        """A checkpoint was reached: post the deferred pause, if any; tell whether it did."""
        if not self.deferred_pause:
            return False
        self.deferred_pause = False
        self.post(Request.PAUSE)
        return True

    def take(self) -> Transition:
        """Take the most urgent request waiting and apply its transition."""
        for request in Request:
            if request in self.posted:
                self.posted.discard(request)
                return self.apply(request)
        raise LookupError("no control request is waiting")

    def apply(self, request: Request) -> Transition:
        """Move the engine as ``request`` does from here (an ending drops waiting pauses)."""
        transition = TRANSITIONS[self.state, request]
        if transition.action in (Action.ABORT, Action.STOP, Action.HALT):
            self.posted -= {Request.PAUSE, Request.SUSPEND}
            self.deferred_pause = False
        self._move(transition.state)
        return transition

    @property
    def ending_posted(self) -> bool:
        """True when a halt, abort or stop is waiting."""
        return bool(self.posted & ENDING)

    def clear(self) -> None:
        """Forget every request."""
        self.posted.clear()
        self.deferred_pause = False
        self.reason = ""

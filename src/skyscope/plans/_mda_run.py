"""One MDA run's state and its hot path: taking one frame and saving the events of frames.

``take_frame`` is what every frame of a time-lapse or a stack runs, so it yields its messages
itself rather than through sub-plans that would do nothing (each is a generator per frame).
Frames written by the plan are acknowledged per flush: their events wait in ``pending``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..engine import Msg
from ._autofocus import FocusSweep
from ._mda_frames import FramePath
from ._mda_moves import Where, move_to, needs_move
from ._mda_record import FieldKind, Record
from ._mda_schedule import Schedule
from ._mda_shutter import ShutterControl
from ._mda_steps import AXES, index_of
from ._mda_timeouts import Timeouts
from ._scope_protocol import MicroscopeLike
from ._sharpness import SharpnessMetric

if TYPE_CHECKING:
    from useq import MDAEvent

_INDEX: dict[str, tuple[FieldKind, str | None]] = dict.fromkeys(AXES, ("integer", None))
FRAME_FIELDS: dict[str, tuple[FieldKind, str | None]] = {
    **_INDEX,
    "pos_name": ("string", None),
    "x_um": ("number", "um"),
    "y_um": ("number", "um"),
    "z_um": ("number", "um"),
    "channel": ("string", None),
    "exposure_ms": ("number", "ms"),
    "scheduled_s": ("number", "s"),
    "started_s": ("number", "s"),
    "lateness_s": ("number", "s"),
}
"""The data keys of each frame's event besides the camera's (units in the second place)."""
AUTOFOCUS_FIELDS: dict[str, tuple[FieldKind, str | None]] = {
    **_INDEX,
    "focus_um": ("number", "um"),
    "offset_um": ("number", "um"),
    "score": ("number", None),
    "frames": ("integer", None),
}
"""The data keys of each event of the ``autofocus`` stream."""


EVENT_WINDOW = 64
"""At most this many frames' events wait for their frames to be acknowledged."""


@dataclass
class MdaRun:
    """Everything one MDA run keeps while it acquires."""

    scope: MicroscopeLike
    frames: FramePath
    sweep: FocusSweep
    metric: SharpnessMetric
    timeouts: Timeouts
    record: Record
    schedule: Schedule = field(default_factory=Schedule)
    where: Where = field(default_factory=Where)
    focus_record: Record = field(
        default_factory=lambda: Record("mda-autofocus", AUTOFOCUS_FIELDS, ["focus_um", "score"])
    )
    shutter: ShutterControl = field(default_factory=ShutterControl)
    baseline: list[Any] = field(default_factory=list)
    """Read into the ``baseline`` stream at the start and at the end of the run."""
    pending: deque[Taken] = field(default_factory=deque)
    """Frames taken whose events wait for the frames to be acknowledged (``defers_events``)."""
    deferred_saved: int = 0
    """How many deferred frame events were saved (the next pending frame's index)."""


@dataclass(frozen=True)
class Taken:
    """What a frame's event records, kept from when the frame was taken."""

    event: MDAEvent
    scheduled: float
    started: float
    readback: dict[str, Any]


async def arrive(run: MdaRun, event: MDAEvent) -> AsyncGenerator[Any, Any]:
    """Move for ``event``, then wait until it is due (a pause shifts the rest of the schedule)."""
    yield Msg("checkpoint")
    yield move_to(run.scope, event, run.where, run.timeouts)
    if event.reset_event_timer:
        run.schedule.reset_timer()
    mst = event.min_start_time
    if run.schedule.due(mst) > run.schedule.now():  # due later: wait (a pause can cut in)
        yield Msg("wait_for", run.schedule, [lambda: run.schedule.wait_until(mst)])


async def take_frame(run: MdaRun, event: MDAEvent) -> AsyncGenerator[Any, Any]:
    """Take one event's frame: ``arrive``, shutter, acquire, event, as one plan.

    The hot path of an MDA: what would do nothing (no move, no shutter held, a frame path
    that only triggers) is not made into a sub-plan, each of which costs a generator.
    """
    yield Msg("checkpoint")
    schedule = run.schedule
    if needs_move(event, run.where):
        yield move_to(run.scope, event, run.where, run.timeouts)
    if event.reset_event_timer:
        schedule.reset_timer()
    mst = event.min_start_time
    if schedule.due(mst) > schedule.now():  # due later: wait (a pause can cut in)
        yield Msg("wait_for", schedule, [lambda: schedule.wait_until(mst)])
    started = schedule.now()
    scheduled = schedule.due(mst) if mst is not None else started
    held = run.shutter.shutter is not None
    if held:
        yield run.shutter.open()
    timeout = run.timeouts.frames(exposure_s(run))
    triggers = run.frames.trigger_messages(timeout)
    if triggers is None:
        yield run.frames.acquire(timeout, event)
    else:
        for msg in triggers:
            yield msg
    if held:
        yield run.shutter.after(event)
    taken = Taken(event, scheduled, started, dict(run.where.readback))
    if not getattr(run.frames, "defers_events", False):
        for msg in event_messages(run, taken):
            yield msg
        return
    run.pending.append(taken)
    if ready(run):
        yield save_pending(run, ready_only=True)


def ready(run: MdaRun) -> bool:
    """Whether a pending frame's event can be saved now (acknowledged, or too many waiting)."""
    return len(run.pending) > EVENT_WINDOW or (run.frames.readable.get_index() > run.deferred_saved)


async def save_pending(run: MdaRun, ready_only: bool = False) -> AsyncGenerator[Any, Any]:
    """Save the events of frames taken and waiting (with ``ready_only``: acknowledged ones).

    Frames are acknowledged per flush, not one by one, so events follow in batches; more than
    ``EVENT_WINDOW`` waiting makes the oldest wait for its frame.
    """
    while run.pending and (not ready_only or ready(run)):
        taken = run.pending.popleft()
        run.deferred_saved += 1
        for msg in event_messages(run, taken):
            yield msg


async def save_frame(run: MdaRun, taken: Taken) -> AsyncGenerator[Any, Any]:
    for msg in event_messages(run, taken):
        yield msg


def event_messages(run: MdaRun, taken: Taken) -> tuple[Msg, ...]:
    """Fill the frame record for ``taken`` and return the messages that save its event."""
    schedule = run.schedule
    event = taken.event
    run.record.update(
        **index_of(event),
        **taken.readback,
        pos_name=event.pos_name or "",
        scheduled_s=schedule.elapsed(taken.scheduled),
        started_s=schedule.elapsed(taken.started),
        lateness_s=taken.started - taken.scheduled,
    )
    return (
        Msg("create", name="primary"),
        Msg("read", run.record),
        Msg("read", run.frames.readable),
        Msg("save"),
    )


def exposure_s(run: MdaRun) -> float:
    """The exposure the camera was last seen using (seconds)."""
    return float(run.where.readback.get("exposure_ms", 0.0)) / 1000.0

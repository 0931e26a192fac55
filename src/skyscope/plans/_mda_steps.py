"""Turn useq's events into the MDA's steps: single frames, hardware bursts and autofocus.

Lazily: ``iter_steps`` groups the events as they come, so a time-lapse of any length is never
listed. What ``check_events`` refuses is found before anything moves, in the outline of the
sequence.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from useq import MDAEvent

AXES = ("t", "p", "g", "c", "z")
"""useq's axis names, in the order the events' data keys list them."""

_TIME_TOLERANCE_S = 1e-6

MAX_BURST_FRAMES = 1000
"""Most frames in one hardware burst: a longer run of frames becomes several bursts."""


@dataclass(frozen=True)
class AutofocusStep:
    """Find focus (software autofocus) for the frames that follow at this position."""

    event: MDAEvent


@dataclass(frozen=True)
class FrameStep:
    """Acquire ``events`` (one frame each): one by one, or as one hardware burst."""

    events: tuple[MDAEvent, ...]
    burst: bool = False


Step = AutofocusStep | FrameStep


def check_events(events: Sequence[MDAEvent], channels: Sequence[str]) -> None:
    """Raise ``ValueError`` naming the first event skyscope cannot perform on this microscope."""
    known = set(channels)
    for number, event in enumerate(events):
        where = f"event {number} {dict(event.index)}"
        kind = event.action.type if event.action is not None else "acquire_image"
        if kind not in ("acquire_image", "hardware_autofocus"):
            raise ValueError(f"{where}: action {kind!r} is not supported by skyscope's MDA")
        if event.channel is not None and event.channel.config not in known:
            raise ValueError(
                f"{where}: channel {event.channel.config!r} is not on the filter wheel "
                f"{sorted(known)}"
            )
        for field in ("properties", "slm_image", "roi"):
            if getattr(event, field, None):
                raise ValueError(f"{where}: {field} is not supported by skyscope's MDA")


async def iter_steps(
    events: AsyncIterator[MDAEvent], frame_period_s: float | None
) -> AsyncGenerator[Step, None]:
    """Group ``events`` into steps as they come; with a ``frame_period_s`` the camera can burst.

    A burst holds at most ``MAX_BURST_FRAMES`` frames, so grouping never waits on more events.
    """
    run: list[MDAEvent] = []
    async for event in events:
        if is_autofocus(event):
            if run:
                yield _frames(run)
                run = []
            yield AutofocusStep(event)
        elif frame_period_s is None:
            yield FrameStep((event,))
        elif run and len(run) < MAX_BURST_FRAMES and bursts_with(run[-1], event, frame_period_s):
            run.append(event)
        else:
            if run:
                yield _frames(run)
            run = [event]
    if run:
        yield _frames(run)


def _frames(run: list[MDAEvent]) -> FrameStep:
    return FrameStep(tuple(run), burst=len(run) > 1)


def is_autofocus(event: MDAEvent) -> bool:
    """Tell whether ``event`` asks for autofocus rather than an image."""
    return event.action is not None and event.action.type == "hardware_autofocus"


def bursts_with(previous: MDAEvent, event: MDAEvent, frame_period_s: float) -> bool:
    """Tell whether ``event`` can follow ``previous`` in one camera sequence.

    Same channel, exposure and stage position (x, y and z: the focus cannot be sequenced), only
    the time index changing, and due no later than one frame period after ``previous``.
    """
    changed = {a for a in AXES if previous.index.get(a) != event.index.get(a)}
    if changed != {"t"} or event.reset_event_timer:
        return False
    same = (
        _channel(previous) == _channel(event)
        and previous.exposure == event.exposure
        and (previous.x_pos, previous.y_pos, previous.z_pos)
        == (event.x_pos, event.y_pos, event.z_pos)
    )
    if not same or previous.min_start_time is None or event.min_start_time is None:
        return False
    gap = event.min_start_time - previous.min_start_time
    return -_TIME_TOLERANCE_S <= gap <= frame_period_s + _TIME_TOLERANCE_S


def _channel(event: MDAEvent) -> str | None:
    return event.channel.config if event.channel is not None else None


def index_of(event: MDAEvent) -> dict[str, int]:
    """Return the event's index on every axis, -1 where the event has none."""
    return {axis: int(event.index.get(axis, -1)) for axis in AXES}

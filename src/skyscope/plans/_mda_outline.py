"""The pre-flight look at an MDA sequence: bounded however long the time-lapse is.

Every timepoint of a useq sequence visits the same positions, channels and focus planes (a
channel's ``acquire_every`` only skips some), so one timepoint tells what the whole run will
ask of the microscope. ``outline`` iterates that one timepoint — on a worker thread, so the
loop never waits on useq — checks every event skyscope would have to perform, and counts the
frames of the whole run without listing them.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._mda_events import timepoints
from ._mda_origin import floating_positions, position_of
from ._mda_steps import check_events, is_autofocus

if TYPE_CHECKING:
    from useq import MDAEvent, MDASequence


@dataclass(frozen=True)
class Outline:
    """What a sequence asks of the microscope, and how many frames it takes."""

    targets: dict[str, frozenset[float]]
    """The planned x, y and z positions (µm), each value once; ``dz``: z counted from the focus
    at the start (a relative z plan at a position with no z)."""
    autofocus: bool
    """Whether the sequence runs autofocus."""
    frames: int | None
    """The frames of the whole run; None when channels skip timepoints in nested sequences."""
    timepoints: int
    """How many timepoints the time plan has (1 without one)."""


async def outline(sequence: MDASequence, channels: Sequence[str]) -> Outline:
    """Check ``sequence`` against the filter wheel's ``channels`` and outline it (off the loop)."""
    return await asyncio.to_thread(_outline, sequence, tuple(channels))


def fresh_copy(sequence: MDASequence, *, one_timepoint: bool = False) -> MDASequence:
    """Return a deep copy of ``sequence`` (its autofocus plans remember nothing of other runs).

    ``one_timepoint`` replaces the time plan, if any, by a single timepoint at t = 0.
    """
    from useq import MDASequence

    if not isinstance(sequence, MDASequence):
        raise TypeError(f"mda() needs a useq.MDASequence, got {type(sequence).__name__}")
    _refuse_nested_positions(sequence)
    data = sequence.model_dump(exclude={"uid"})
    if one_timepoint and data.get("time_plan") is not None:
        data["time_plan"] = {"interval": 0, "loops": 1}
    return MDASequence.model_validate(data)


def _refuse_nested_positions(sequence: MDASequence) -> None:
    """Refuse a position whose own sequence has stage positions (useq refuses to build one).

    useq would place such frames at the outer position and number them by the inner one, so
    neither their place nor the focus their z counts from would be what the sequence says.
    """
    for number, position in enumerate(sequence.stage_positions):
        sub = position.sequence
        if sub is not None and sub.stage_positions:
            name = f"{position.name!r} " if position.name else ""
            raise ValueError(
                f"stage position {name}(p={number}) has a sub-sequence with stage positions of "
                "its own: useq does not iterate those (a sub-sequence takes its position's x, "
                "y and z); list them as positions of the main sequence instead"
            )


def _outline(sequence: MDASequence, channels: tuple[str, ...]) -> Outline:
    events = list(fresh_copy(sequence, one_timepoint=True))
    check_events(events, channels)
    frames = [e for e in events if not is_autofocus(e)]
    floating = floating_positions(sequence)
    fixed = [e for e in events if position_of(e) not in floating]
    targets = {axis: _values(getattr(e, f"{axis}_pos") for e in events) for axis in "xy"}
    targets["z"] = _values(e.z_pos for e in fixed)
    targets["dz"] = _values(e.z_pos for e in events if position_of(e) in floating)
    count = timepoints(sequence)
    return Outline(
        targets=targets,
        autofocus=len(frames) < len(events),
        frames=_frame_count(sequence, frames, count),
        timepoints=count,
    )


def _values(values: Iterable[float | None]) -> frozenset[float]:
    return frozenset(float(v) for v in values if v is not None)


def _frame_count(sequence: MDASequence, first: list[MDAEvent], count: int) -> int | None:
    """Frames of the whole run from those of its first timepoint.

    A channel acquired every k-th timepoint is taken ceil(count / k) times. Inside a
    position's own sequence useq does not apply ``acquire_every``, so there the exact count
    would take listing the events: None.
    """
    every = [channel.acquire_every for channel in sequence.channels]
    if all(k == 1 for k in every):
        return len(first) * count
    if any(_has_axes(p.sequence) for p in sequence.stage_positions):
        return None
    return sum(math.ceil(count / every[e.index.get("c", 0)]) for e in first)


def _has_axes(sub: Any) -> bool:
    """Whether a position's own sequence iterates anything (useq then recurses into it)."""
    return sub is not None and bool(
        sub.time_plan is not None
        or sub.stage_positions
        or sub.z_plan is not None
        or sub.channels
        or sub.grid_plan is not None
    )

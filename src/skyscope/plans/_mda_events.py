"""useq's events of a sequence, produced as an MDA needs them and never all at once.

useq spends ~0.1 ms per event, and before its first one it builds every axis in full: for a
time-lapse of 100,000 timepoints that is 100,000 small tuples, whose allocation alone wakes the
garbage collector for a full pass (~0.1 s with the GIL held). So ``lazy_events`` takes the
events a batch at a time on a worker thread, and ``iter_events`` hands a long time plan to
useq a block of timepoints at a time, numbering and timing each block's events as useq
would have in one piece.
"""

from __future__ import annotations

import asyncio
import itertools
import math
from collections.abc import AsyncGenerator, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from useq import MDAEvent, MDASequence

MAX_BATCH = 256
"""Most events taken from useq in one go (the first batches are smaller, to start sooner)."""
BLOCK_TIMEPOINTS = 500
"""About how many timepoints useq is given at once when the time plan is longer."""


async def lazy_events(sequence: MDASequence) -> AsyncGenerator[MDAEvent, None]:
    """Yield the events of ``sequence``, taken in batches on a worker thread."""
    events = iter_events(sequence)
    size = 1
    while True:
        batch = await asyncio.to_thread(_take, events, size)
        for event in batch:
            yield event
        if len(batch) < size:
            return
        size = min(2 * size, MAX_BATCH)


def _take(events: Iterator[MDAEvent], count: int) -> list[MDAEvent]:
    return list(itertools.islice(events, count))


def iter_events(sequence: MDASequence) -> Iterator[MDAEvent]:
    """Yield the events of ``sequence`` exactly as ``iter(sequence)`` does, lazily.

    When the time plan is the outermost axis, useq iterates blocks of timepoints of a copy
    that shares the sequence's autofocus plan (so it remembers across blocks, as in one run).
    """
    block = _block_size(sequence)
    if block is None:
        yield from sequence
        return
    from useq import TIntervalLoops

    times = iter(sequence.time_plan or ())
    start = 0
    while times_of_block := list(itertools.islice(times, block)):
        plan = TIntervalLoops(interval=0, loops=len(times_of_block))
        part = sequence.model_copy(update={"time_plan": plan})  # shallow: same autofocus plan
        for event in part:
            yield _placed(event, start, times_of_block)
        start += len(times_of_block)


def _placed(event: MDAEvent, start: int, times: list[float]) -> MDAEvent:
    """Give an event of a block its timepoint number and time in the whole time plan."""
    local = event.index["t"]
    return event.model_copy(
        update={
            "index": type(event.index)({**event.index, "t": start + local}),
            "min_start_time": times[local],
            "reset_event_timer": event.reset_event_timer and start == 0,
        }
    )


def _block_size(sequence: MDASequence) -> int | None:
    """Timepoints per block, or None when the sequence is best iterated by useq in one piece.

    Blocks need the time axis outermost, no nested time plans and no shutter kept open across
    axes (useq decides that between neighbouring events); they start on a multiple of every
    channel's ``acquire_every``, so the same channels are skipped.
    """
    if sequence.time_plan is None or sequence.keep_shutter_open_across:
        return None
    if _first_axis(sequence) != "t":
        return None
    if any(p.sequence is not None and p.sequence.time_plan for p in sequence.stage_positions):
        return None
    every = math.lcm(1, *(channel.acquire_every for channel in sequence.channels))
    block = max(2, every * math.ceil(BLOCK_TIMEPOINTS / every))
    return block if timepoints(sequence) > block else None


def _first_axis(sequence: MDASequence) -> str | None:
    """The outermost axis the sequence iterates (an axis with a plan counts as iterated)."""
    used = {
        "t": sequence.time_plan is not None,
        "p": bool(sequence.stage_positions),
        "g": sequence.grid_plan is not None,
        "c": bool(sequence.channels),
        "z": sequence.z_plan is not None,
    }
    return next((str(axis) for axis in sequence.axis_order if used.get(str(axis))), None)


def timepoints(sequence: MDASequence) -> int:
    """Return how many timepoints the sequence's time plan has, without iterating it."""
    from useq import MultiPhaseTimePlan

    plan = sequence.time_plan
    if plan is None:
        return 1
    if isinstance(plan, MultiPhaseTimePlan):  # later phases share their first point
        return 1 + sum(int(phase.loops) - 1 for phase in plan.phases)
    return int(plan.loops)

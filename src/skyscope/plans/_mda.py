"""``mda``: run a useq-schema ``MDASequence`` on a microscope as one bluesky-style run.

Frames go to the ``primary`` stream in exactly the order, with exactly the skips and timing,
that useq's own iteration gives. Each event carries the frame's index (``t p g c z``; -1 where
the frame has no such axis), the stage position, channel and exposure actually used
(readbacks), and when the frame was due, when it started and how late it was. Autofocus events
run the software autofocus; each leaves one event in the ``autofocus`` stream.

The events are planned as the run goes (a time-lapse of any length starts at once); what is
checked before anything moves comes from one timepoint of the sequence (``outline``). Every
move and frame has a time limit (``Timeouts``), so a hung part fails the run.
"""

from __future__ import annotations

import os
from collections.abc import AsyncGenerator, Mapping
from typing import TYPE_CHECKING, Any

from ..engine import Msg, Return
from ..writers import FrameWriter, ImageSetWriter
from ._autofocus import FocusSweep, check_inline_camera, find_focus, resolve_metric
from ._mda_burst import Burst
from ._mda_events import lazy_events
from ._mda_frames import frame_path
from ._mda_hints import MdaHints, mda_hints
from ._mda_instrument import baseline_devices
from ._mda_moves import check_targets, locate_all, move_to
from ._mda_origin import focus_origin
from ._mda_outline import fresh_copy, outline
from ._mda_output import Output, check_output, output_frames
from ._mda_record import Record
from ._mda_run import AUTOFOCUS_FIELDS as AUTOFOCUS_FIELDS
from ._mda_run import FRAME_FIELDS as FRAME_FIELDS
from ._mda_run import (
    MdaRun,
    Taken,
    arrive,
    exposure_s,
    save_frame,
    save_pending,
    take_frame,
)
from ._mda_shutter import shutter_control
from ._mda_steps import AXES, AutofocusStep, FrameStep, index_of, iter_steps
from ._mda_timeouts import measure_timeouts, read_value
from ._mda_unhonoured import unhonoured
from ._plan_md import plan_metadata
from ._scope_protocol import MicroscopeLike, check_microscope
from ._sharpness import SharpnessMetric
from ._stubs import trigger_and_read
from ._wrappers import finalize_wrapper, run_wrapper, stage_wrapper

if TYPE_CHECKING:
    from useq import MDAEvent, MDASequence


async def mda(
    sequence: MDASequence,
    microscope: MicroscopeLike,
    *,
    writer: FrameWriter | None = None,
    output: Output | None = None,
    md: Mapping[str, Any] | None = None,
    focus_sweep: FocusSweep | None = None,
    sharpness: str | SharpnessMetric = "denoised_brenner",
) -> AsyncGenerator[Any, Any]:
    """Acquire a useq multi-dimensional sequence on a microscope as one run; return the frames.

    Frames go to the ``primary`` stream (the camera's configuration in its descriptor), the
    instrument's state at the start and the end to ``baseline``. The start document holds
    useq's JSON of the sequence (``mda_sequence``), the focus that z positions without a
    position z count from (``mda_z_origin_um``) and what the MDA does not act on
    (``mda_unhonoured``). Naming ``keep_shutter_open_across`` hands the shutter to the MDA.

    Parameters
    ----------
    sequence
        The useq-schema ``MDASequence``: time plan, positions, grid, channels, z plan, autofocus.
    microscope
        The microscope to drive: its camera, XY stage, focus drive and filter wheel.
    writer
        Stores the frames a camera without its own writer hands back; a camera with a writer
        stores its own (and may then burst); with neither, events carry the frames.
    output
        Writes the frames as they come into their final layout, one image per position with
        the sequence's t, c, z axes: ``*.ome.zarr``, ``*.ome.tif`` or ``*.h5``. Not with
        ``writer`` nor a camera that writes its own frames. A configured ``ImageSetWriter``
        (e.g. ``OMEZarrImageWriter(path, compression="zstd")``) works too.
    md
        Added to the run's start document.
    focus_sweep
        How the software autofocus searches, when the sequence's autofocus plan calls for it.
    sharpness
        The focus metric the autofocus maximises: one of ``skyscope.plans.METRICS`` by name.

    """
    scope = check_microscope(microscope)
    fresh = fresh_copy(sequence)
    chosen = check_output(scope, output, writer) if output is not None else None
    shape = await outline(fresh, list(scope.filter_wheel.positions))
    if shape.autofocus:
        check_inline_camera(scope.camera)
    metric = resolve_metric(sharpness)
    origin = yield focus_origin(scope, fresh)
    yield check_targets(scope, shape.targets, origin.z_um)
    frames = (
        await output_frames(
            scope, sequence, chosen, _pixel_size(scope).get("pixel_size_um"), origin
        )
        if chosen is not None
        else frame_path(scope.camera, writer)
    )
    period = (yield _burst_period(scope)) if frames.can_burst else None
    hints = mda_hints(fresh, shape.timepoints)
    timeouts = yield measure_timeouts(scope)
    run = MdaRun(
        scope,
        frames,
        focus_sweep or FocusSweep(),
        metric,
        timeouts,
        Record("mda", FRAME_FIELDS, hints.fields),
    )
    run.where.origin = origin
    run.shutter = shutter_control(scope, fresh, timeouts.channel())
    run.baseline = baseline_devices(scope)
    plan_args = {
        "sequence": sequence,
        "microscope": microscope,
        "writer": writer,
        "output": _output_name(output),
        "focus_sweep": focus_sweep,
        "sharpness": sharpness,
    }
    run_md = {
        **_run_md(scope, plan_args, hints, shape.frames),
        "mda_sequence": sequence.model_dump(mode="json", exclude={"uid"}),
        "mda_axes": list(AXES),
        "mda_z_origin_um": origin.z_um if origin.floating else None,
        "mda_unhonoured": unhonoured(fresh, scope),
        **_pixel_size(scope),
        **(md or {}),
    }
    acquire = finalize_wrapper(_acquire(run, fresh, period), run.shutter.restore)
    taken = yield stage_wrapper(run_wrapper(acquire, run_md), [microscope])
    yield Return(taken)


def _output_name(output: Output | None) -> str | None:
    """The output's path for the start document."""
    if output is None:
        return None
    return os.fspath(output.path if isinstance(output, ImageSetWriter) else output)


def _run_md(
    scope: MicroscopeLike, plan_args: dict[str, Any], hints: MdaHints, frames: int | None
) -> dict[str, Any]:
    return plan_metadata(
        "mda",
        plan_args,
        detectors=[scope.camera],
        motors=hints.motors(scope),
        num_points=frames,
        dimensions=hints.dimensions,
    )


async def _burst_period(scope: MicroscopeLike) -> AsyncGenerator[Any, Any]:
    """The camera's frame period floor: bursts may space frames no further apart than this."""
    period = yield read_value(getattr(scope.camera, "acquire_period", None))
    exposure = yield read_value(scope.camera.exposure)
    yield Return(max(period or 0.0, exposure or 0.0))


async def _acquire(
    run: MdaRun, sequence: MDASequence, period: float | None
) -> AsyncGenerator[Any, Any]:
    taken = 0
    yield Msg("null", run.schedule)  # the engine now tells the schedule of every pause
    yield trigger_and_read(run.baseline, name="baseline")
    run.where.readback = yield locate_all(run.scope)  # where moves start from
    yield run.shutter.start()
    events = lazy_events(sequence)
    steps = iter_steps(events, period)
    try:
        async for step in steps:
            if isinstance(step, AutofocusStep):
                yield save_pending(run)
                yield _autofocus(run, step.event)
            elif step.burst:
                yield save_pending(run)
                yield _burst(run, step)
            else:
                yield take_frame(run, step.events[0])
            taken += len(step.events) if isinstance(step, FrameStep) else 0
        yield save_pending(run)
        yield run.shutter.restore()
        yield trigger_and_read(run.baseline, name="baseline")
    finally:
        await steps.aclose()
        await events.aclose()
        await run.frames.close()
    yield Return(taken)


async def _burst(run: MdaRun, step: FrameStep) -> AsyncGenerator[Any, Any]:
    first = step.events[0]
    yield arrive(run, first)
    period = yield _burst_period(run.scope)
    limit = run.timeouts.frames(exposure_s(run), len(step.events))
    burst = Burst(run.scope.camera, len(step.events), period, limit)
    yield run.shutter.open()
    yield burst.start_msg()
    for number, event in enumerate(step.events):
        if number:
            yield Msg("checkpoint")
        yield burst.frame_msg(number)
        started = burst.started(number) or run.schedule.now()
        mst = event.min_start_time
        scheduled = run.schedule.due(mst) if mst is not None else started
        yield save_frame(run, Taken(event, scheduled, started, dict(run.where.readback)))
    yield burst.finish_msg()
    yield run.shutter.after(step.events[-1])


async def _autofocus(run: MdaRun, event: MDAEvent) -> AsyncGenerator[Any, Any]:
    """Focus at this position: a full sweep the first time, a narrower one once corrected."""
    yield Msg("checkpoint")
    where = run.where
    yield move_to(run.scope, event, where, run.timeouts, focus=False)
    if event.reset_event_timer:
        run.schedule.reset_timer()
    position = event.index.get("p", 0)
    planned = event.z_pos
    home = planned + where.origin.shift(event) if planned is not None else where.readback["z_um"]
    known = position in where.focus_offsets
    center = home + where.focus_offsets.get(position, 0.0)
    sweep = _narrower(run.sweep) if known else run.sweep
    yield run.shutter.open()
    result = yield find_focus(run.scope, center_um=center, sweep=sweep, metric=run.metric)
    yield run.shutter.after(event)
    if planned is not None:
        where.focus_offsets[position] = result.z_um - home
    where.forget_focus()
    run.focus_record.update(
        **index_of(event),
        focus_um=result.z_um,
        offset_um=result.z_um - home,
        score=result.score,
        frames=result.frames,
    )
    yield Msg("create", name="autofocus")
    yield Msg("read", run.focus_record)
    yield Msg("save")


def _narrower(sweep: FocusSweep) -> FocusSweep:
    """Skip the coarsest sweep where focus was found before (it only drifts a little)."""
    levels = sweep.levels()
    if len(levels) < 2:
        return sweep
    half, step = levels[1]
    return FocusSweep(half, step, sweep.fine_step_um, sweep.shrink)


def _pixel_size(scope: Any) -> dict[str, float]:
    """``{"pixel_size_um": …}`` when the microscope knows it (exporters read it from the start)."""
    size = getattr(scope, "pixel_size_um", None)
    if callable(size):
        size = size()
    return {"pixel_size_um": float(size)} if isinstance(size, int | float) and size > 0 else {}

"""The standard plans: count, scan, rel_scan, list_scan, grid_scan — bluesky's, async.

Each is one run: stage the devices, then per point a checkpoint, the moves, and one event of
every detector and motor. ``per_step`` / ``per_shot`` replace the step to customise it (the
hook for adaptive work), and ``md`` adds to the start document.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import AsyncGenerator, Callable, Generator, Mapping, Sequence
from typing import Any

import numpy as np

from ..devices import Movable, Readable
from ..engine import make_msg
from ._plan_md import plan_metadata
from ._stubs import new_group, trigger_and_read
from ._wrappers import relative_set_wrapper, reset_positions_wrapper, run_wrapper, stage_wrapper

PerShot = Callable[[Sequence[Any]], Any]
"""Makes the plan for one shot of ``count`` from its detectors."""
PerStep = Callable[[Sequence[Any], Mapping[Any, float], dict[Any, float]], Any]
"""Makes the plan for one step of a scan: (detectors, {motor: target}, position cache)."""


def one_shot(detectors: Sequence[Any]) -> Any:
    """The default shot: trigger and read the detectors into the primary stream."""
    return trigger_and_read(detectors)


def one_nd_step(
    detectors: Sequence[Readable[Any]],
    step: Mapping[Movable[Any], float],
    pos_cache: dict[Any, float],
) -> Generator[Any, Any, dict[str, Any]]:
    """The default step: move the motors whose target changed, then read motors and detectors.

    Parameters
    ----------
    detectors
        The devices to trigger and read.
    step
        Each motor's target at this step.
    pos_cache
        Where each motor was last sent (updated here): a motor already there does not move.

    """
    group = None
    for motor, target in step.items():
        if pos_cache.get(motor) != target:
            group = group or new_group("step")
            yield make_msg("set", motor, target, group=group)
            pos_cache[motor] = target
    if group is not None:
        yield make_msg("wait", None, group=group)
    readable: list[Any] = [*detectors, *step]  # the motors are read too
    readings: dict[str, Any] = yield from trigger_and_read(readable)
    return readings


async def count(
    detectors: Sequence[Readable[Any]],
    num: int | None = 1,
    delay: float = 0.0,
    *,
    per_shot: PerShot | None = None,
    md: Mapping[str, Any] | None = None,
) -> AsyncGenerator[Any, Any]:
    """Take ``num`` readings of ``detectors``, ``delay`` s apart, as one run.

    Parameters
    ----------
    detectors
        The devices to trigger (if they can be) and read at every shot.
    num
        How many readings; ``None`` reads until the engine is stopped.
    delay
        Seconds between the end of one reading and the start of the next.
    per_shot
        Makes the plan of one shot from the detectors (default: trigger and read them).
    md
        Added to the run's start document.

    """
    if num is not None and (isinstance(num, bool) or not isinstance(num, int) or num < 1):
        raise ValueError(f"count: num must be a whole number ≥ 1 or None, got {num!r}")
    if not (isinstance(delay, int | float) and math.isfinite(delay) and delay >= 0):
        raise ValueError(f"count: delay must be a finite number of seconds ≥ 0, got {delay!r}")
    shot = per_shot or one_shot
    _md = plan_metadata(
        "count",
        {"detectors": detectors, "num": num, "delay": delay, "per_shot": per_shot},
        detectors=detectors,
        num_points=num,
        dimensions=[(["time"], "primary")],
    )

    def inner() -> Generator[Any, Any, None]:
        for i in itertools.count() if num is None else range(num):
            yield make_msg("checkpoint")
            if shot is one_shot:  # delegated in C; a custom shot may be any kind of plan
                yield from trigger_and_read(detectors)
            else:
                yield shot(detectors)
            if delay and (num is None or i < num - 1):
                yield make_msg("sleep", None, delay)

    yield stage_wrapper(run_wrapper(inner(), {**_md, **(md or {})}), detectors)


async def list_scan(
    detectors: Sequence[Readable[Any]],
    *args: Movable[Any] | Sequence[float],
    per_step: PerStep | None = None,
    md: Mapping[str, Any] | None = None,
) -> AsyncGenerator[Any, Any]:
    """Visit the listed positions point by point (the lists zipped), reading at each.

    Parameters
    ----------
    detectors
        The devices to trigger and read at every point (the motors are read too).
    *args
        ``motor1, [positions], motor2, [positions], ...``: each list as long as the others.
    per_step
        Makes the plan of one step (default: move the motors that change, then read).
    md
        Added to the run's start document.

    """
    motors, lists = _axes(args, "list_scan")
    lengths = {len(points) for points in lists}
    if len(lengths) != 1:
        raise ValueError(f"list_scan: every position list must have the same length, got {lengths}")
    points = [dict(zip(motors, values, strict=True)) for values in zip(*lists, strict=True)]
    plan_md = _scan_md(
        "list_scan", detectors, motors, len(points), {"args": args, "per_step": per_step}
    )
    yield _steps(detectors, motors, points, per_step, {**plan_md, **(md or {})})


async def scan(
    detectors: Sequence[Readable[Any]],
    *args: Movable[Any] | float,
    num: int,
    per_step: PerStep | None = None,
    md: Mapping[str, Any] | None = None,
) -> AsyncGenerator[Any, Any]:
    """Move the motors together from their starts to their stops in ``num`` steps, reading at each.

    Parameters
    ----------
    detectors
        The devices to trigger and read at every step (the motors are read too).
    *args
        ``motor1, start1, stop1, motor2, start2, stop2, ...``.
    num
        How many steps (points), both ends included.
    per_step
        Makes the plan of one step (default: move the motors that change, then read).
    md
        Added to the run's start document.

    """
    if isinstance(num, bool) or not isinstance(num, int) or num < 1:
        raise ValueError(f"scan: num must be a whole number ≥ 1, got {num!r}")
    motors, ranges = _triples(args, "scan")
    lists = [np.linspace(start, stop, num).tolist() for start, stop in ranges]
    points = [dict(zip(motors, values, strict=True)) for values in zip(*lists, strict=True)]
    plan_args = {"args": args, "num": num, "per_step": per_step}
    plan_md = _scan_md("scan", detectors, motors, num, plan_args)
    yield _steps(detectors, motors, points, per_step, {**plan_md, **(md or {})})


async def rel_scan(
    detectors: Sequence[Readable[Any]],
    *args: Movable[Any] | float,
    num: int,
    per_step: PerStep | None = None,
    md: Mapping[str, Any] | None = None,
) -> AsyncGenerator[Any, Any]:
    """``scan`` relative to where the motors are now; they go back there afterwards.

    Parameters
    ----------
    detectors
        The devices to trigger and read at every step (the motors are read too).
    *args
        ``motor1, start1, stop1, ...``, each start and stop relative to where that motor is.
    num
        How many steps (points), both ends included.
    per_step
        Makes the plan of one step (default: move the motors that change, then read).
    md
        Added to the run's start document.

    """
    motors, _ = _triples(args, "rel_scan")
    plan_md = {"plan_name": "rel_scan", **(md or {})}
    inner = scan(detectors, *args, num=num, per_step=per_step, md=plan_md)
    yield reset_positions_wrapper(relative_set_wrapper(inner, motors), motors)


async def grid_scan(
    detectors: Sequence[Readable[Any]],
    *args: Movable[Any] | int | float,
    snake_axes: bool | Sequence[Movable[Any]] = False,
    per_step: PerStep | None = None,
    md: Mapping[str, Any] | None = None,
) -> AsyncGenerator[Any, Any]:
    """Visit every point of a grid (the first motor slowest), reading at each.

    Parameters
    ----------
    detectors
        The devices to trigger and read at every point (the motors are read too).
    *args
        ``motor1, start1, stop1, num1, motor2, start2, stop2, num2, ...``.
    snake_axes
        ``True`` snakes every axis but the slowest; or the motors whose direction alternates.
    per_step
        Makes the plan of one step (default: move the motors that change, then read).
    md
        Added to the run's start document.

    """
    spec: tuple[Any, ...] = args
    if len(spec) % 4:
        raise ValueError("grid_scan: expected motor, start, stop, num for each axis")
    motors = list(spec[::4])
    axes = [
        np.linspace(a, b, int(n)).tolist()
        for a, b, n in zip(spec[1::4], spec[2::4], spec[3::4], strict=True)
    ]
    snaking = set(map(id, motors[1:])) if snake_axes is True else set(map(id, snake_axes or ()))
    points = [dict(zip(motors, values, strict=True)) for values in _grid(motors, axes, snaking)]
    plan_args = {"args": args, "snake_axes": snake_axes, "per_step": per_step}
    plan_md = _scan_md("grid_scan", detectors, motors, len(points), plan_args)
    plan_md.update(shape=[len(a) for a in axes], snaking=[id(m) in snaking for m in motors])
    plan_md["extents"] = [[a[0], a[-1]] for a in axes]
    if len(motors) == 2:
        plan_md["hints"]["gridding"] = "rectilinear"
    yield _steps(detectors, motors, points, per_step, {**plan_md, **(md or {})})


def _grid(motors: list[Any], axes: list[list[float]], snaking: set[int]) -> list[tuple[float, ...]]:
    points: list[tuple[float, ...]] = [()]
    for motor, axis in zip(motors, axes, strict=True):
        grown: list[tuple[float, ...]] = []
        for i, prefix in enumerate(points):
            ordered = axis[::-1] if id(motor) in snaking and i % 2 else axis
            grown.extend((*prefix, value) for value in ordered)
        points = grown
    return points


async def _steps(
    detectors: Sequence[Any],
    motors: Sequence[Any],
    points: list[dict[Any, float]],
    per_step: PerStep | None,
    md: Mapping[str, Any],
) -> AsyncGenerator[Any, Any]:
    step = per_step or one_nd_step
    pos_cache: dict[Any, float] = {}

    def inner() -> Generator[Any, Any, None]:
        for point in points:
            yield make_msg("checkpoint")
            if step is one_nd_step:  # delegated in C; a custom step may be any kind of plan
                yield from one_nd_step(detectors, point, pos_cache)
            else:
                yield step(detectors, point, pos_cache)

    yield stage_wrapper(run_wrapper(inner(), md), [*detectors, *motors])


def _axes(args: Sequence[Any], plan: str) -> tuple[list[Any], list[list[float]]]:
    if not args or len(args) % 2:
        raise ValueError(f"{plan}: expected motor, positions pairs")
    return list(args[::2]), [list(points) for points in args[1::2]]


def _triples(args: Sequence[Any], plan: str) -> tuple[list[Any], list[tuple[float, float]]]:
    if not args or len(args) % 3:
        raise ValueError(f"{plan}: expected motor, start, stop for each axis")
    return list(args[::3]), list(zip(args[1::3], args[2::3], strict=True))


def _scan_md(
    plan: str,
    detectors: Sequence[Any],
    motors: Sequence[Any],
    num: int,
    plan_args: dict[str, Any],
) -> dict[str, Any]:
    return plan_metadata(
        plan,
        {"detectors": detectors, **plan_args},
        detectors=detectors,
        motors=motors,
        num_points=num,
        dimensions=[(_fields(m), "primary") for m in motors],
    )


def _fields(motor: Any) -> list[str]:
    hints = getattr(motor, "hints", None)
    if isinstance(hints, dict) and hints.get("fields"):
        return list(hints["fields"])
    return [str(getattr(motor, "name", motor))]

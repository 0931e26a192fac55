"""Plan wrappers: runs, staging, cleanup, baseline readings, monitors, relative moves, metadata.

Each takes a plan and returns a plan, so they stack: ``run_wrapper(stage_wrapper(inner, dets))``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from typing import Any

from ..devices import HasName, Movable
from ..engine import Msg, RequestAbort, RequestStop, Return
from ._mutate import intercept
from ._stubs import mv, trigger_and_read

PlanFactory = Callable[[], Any]


async def run_wrapper(plan: Any, md: Mapping[str, Any] | None = None) -> AsyncGenerator[Any, Any]:
    """Enclose a plan in a run; if it fails or is aborted, close the run saying so.

    Parameters
    ----------
    plan
        The plan to run inside the run.
    md
        The run's start metadata.

    """
    yield Msg("open_run", **(md or {}))
    try:
        result = yield plan
    except Exception as error:
        yield Msg("close_run", exit_status=_exit_status(error), reason=_reason(error))
        raise
    yield Msg("close_run")
    yield Return(result)


async def finalize_wrapper(plan: Any, final_plan: Any | PlanFactory) -> AsyncGenerator[Any, Any]:
    """Run a final plan after a plan however it ends.

    Parameters
    ----------
    plan
        The plan.
    final_plan
        What to run after it: a plan, or a function making one.

    """
    try:
        result = yield plan
    finally:
        yield final_plan() if callable(final_plan) else final_plan
    yield Return(result)


async def stage_wrapper(plan: Any, devices: Sequence[HasName]) -> AsyncGenerator[Any, Any]:
    """Stage devices before a plan and unstage them after, however it ends.

    Parameters
    ----------
    plan
        The plan.
    devices
        The devices to stage (those that cannot be staged are left alone).

    """
    stageable = [d for d in _unique(devices) if hasattr(d, "stage")]

    async def unstage_all() -> AsyncGenerator[Any, Any]:
        for device in reversed(stageable):
            yield Msg("unstage", device)

    for device in stageable:
        yield Msg("stage", device)
    result = yield finalize_wrapper(plan, unstage_all)
    yield Return(result)


def baseline_wrapper(
    plan: Any, devices: Sequence[Any], name: str = "baseline"
) -> AsyncGenerator[Any, Any]:
    """Read ``devices`` into stream ``name`` right after the run opens and before it closes."""

    def around(msg: Any) -> tuple[Any, Any]:
        if msg.command == "open_run":
            return None, trigger_and_read(devices, name=name)
        if msg.command == "close_run":
            return trigger_and_read(devices, name=name), None
        return None, None

    return intercept(plan, around)


def monitor_during_wrapper(plan: Any, signals: Sequence[Any]) -> AsyncGenerator[Any, Any]:
    """Monitor ``signals`` (an event per update, stream ``<name>_monitor``) during the run."""

    async def start() -> AsyncGenerator[Any, Any]:
        for signal in signals:
            yield Msg("monitor", signal)

    async def stop() -> AsyncGenerator[Any, Any]:
        for signal in signals:
            yield Msg("unmonitor", signal)

    def around(msg: Any) -> tuple[Any, Any]:
        if msg.command == "open_run":
            return None, start()
        if msg.command == "close_run":
            return stop(), None
        return None, None

    return intercept(plan, around)


def inject_md_wrapper(plan: Any, md: Mapping[str, Any]) -> AsyncGenerator[Any, Any]:
    """Add ``md`` to every start document ``plan`` makes (the plan's own keys win)."""

    def replace(msg: Any) -> Any:
        if msg.command != "open_run":
            return msg
        return Msg("open_run", msg.obj, *msg.args, run=msg.run, **{**md, **msg.kwargs})

    return intercept(plan, replace=replace)


async def relative_set_wrapper(
    plan: Any, devices: Sequence[Movable[Any]] | None = None
) -> AsyncGenerator[Any, Any]:
    """Interpret a plan's ``set`` targets relative to where the devices start.

    Parameters
    ----------
    plan
        The plan.
    devices
        The devices whose targets are relative (default: every device the plan sets).

    """
    origins: dict[int, float] = {}

    async def origin_of(obj: Any) -> AsyncGenerator[Any, Any]:
        if id(obj) not in origins:
            where = yield Msg("locate", obj)
            origins[id(obj)] = where["setpoint"]
        yield Return(origins[id(obj)])

    wanted = None if devices is None else {id(d) for d in devices}
    for device in devices or ():
        yield origin_of(device)

    def replace(msg: Any) -> Any:
        if msg.command != "set" or (wanted is not None and id(msg.obj) not in wanted):
            return msg
        if id(msg.obj) not in origins:
            raise ValueError(f"relative_set_wrapper: {msg.obj!r} has no recorded origin")
        target = origins[id(msg.obj)] + msg.args[0]
        return Msg("set", msg.obj, target, *msg.args[1:], run=msg.run, **msg.kwargs)

    result = yield intercept(plan, replace=replace)
    yield Return(result)


async def reset_positions_wrapper(
    plan: Any, devices: Sequence[Movable[Any]] | None = None
) -> AsyncGenerator[Any, Any]:
    """Move every device a plan sets back where it started, once the plan ends.

    Parameters
    ----------
    plan
        The plan.
    devices
        The devices to put back (default: every device the plan sets).

    """
    wanted = None if devices is None else {id(d) for d in devices}
    starts: dict[int, tuple[Any, float]] = {}

    async def remember(obj: Any) -> AsyncGenerator[Any, Any]:
        where = yield Msg("locate", obj)
        starts.setdefault(id(obj), (obj, where["setpoint"]))

    def around(msg: Any) -> tuple[Any, Any]:
        picked = wanted is None or id(msg.obj) in wanted
        if msg.command == "set" and picked and id(msg.obj) not in starts:
            return remember(msg.obj), None
        return None, None

    def go_back() -> Any:
        return mv(*[x for obj, pos in starts.values() for x in (obj, pos)]) if starts else None

    result = yield finalize_wrapper(intercept(plan, around), _skip_none(go_back))
    yield Return(result)


def _exit_status(error: Exception) -> str:
    if isinstance(error, RequestStop):
        return "success"
    return "abort" if isinstance(error, RequestAbort) else "fail"


def _reason(error: Exception) -> str:
    """The error's message (its type if it has none), as bluesky's and the engine's reason."""
    if isinstance(error, RequestAbort | RequestStop):
        return str(error)
    return str(error) or type(error).__name__


def _skip_none(factory: Callable[[], Any]) -> Callable[[], Any]:
    async def plan() -> AsyncGenerator[Any, Any]:
        inner = factory()
        if inner is not None:
            yield inner

    return plan


def _unique(devices: Sequence[Any]) -> list[Any]:
    seen: dict[int, Any] = {}
    for device in devices:
        seen.setdefault(id(device), device)
    return list(seen.values())

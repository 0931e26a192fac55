"""Plan stubs: the building blocks of plans, usable as ``response = yield stub(...)``.

A stub that is a single message returns the ``Msg`` itself (no generator to drive, so it costs
nothing); a stub of several messages is an async generator that ends with ``yield Return(x)``.
The per-point steps (``trigger_and_read`` here, ``one_nd_step`` in the scans) are plain
generators that ``return`` their result, as bluesky's are: they never await, and a plain
generator costs the engine about 1.5 µs less per point than an async one. The engine drives both.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator, Iterable, Mapping, Sequence
from itertools import count as _counter
from typing import Any

from ..devices import Movable, Readable
from ..engine import Msg, Parallel, Return, make_msg

_groups = _counter()


def new_group(prefix: str) -> str:
    """Return a unique name for a group of statuses."""
    return f"{prefix}-{next(_groups)}"


def open_run(md: Mapping[str, Any] | None = None) -> Msg:
    """Start a run (emit a start document with ``md``); the response is its uid."""
    return Msg("open_run", **(md or {}))


def close_run(exit_status: str | None = None, reason: str | None = None) -> Msg:
    """End the run (emit its stop document)."""
    return Msg("close_run", exit_status=exit_status, reason=reason)


def create(name: str = "primary") -> Msg:
    """Open an event bundle in stream ``name``."""
    return Msg("create", name=name)


def save() -> Msg:
    """Emit the open bundle as an event."""
    return Msg("save")


def drop() -> Msg:
    """Discard the open bundle."""
    return Msg("drop")


def read(obj: Any) -> Msg:
    """Read ``obj`` (into the open bundle, if any); the response is the reading."""
    return Msg("read", obj)


def locate(*objs: Any, squeeze: bool = True) -> Msg:
    """Ask where ``objs`` are; the response is their ``Location`` (a list unless squeezed)."""
    return Msg("locate", *objs, squeeze=squeeze)


def abs_set(obj: Any, value: Any, *args: Any, group: Any = None, wait: bool = False) -> Any:
    """Start moving ``obj`` to ``value``; with ``wait``, until it arrives."""
    if not wait:
        return Msg("set", obj, value, *args, group=group)
    return _set_and_wait(obj, value, args, group)


async def _set_and_wait(obj: Any, value: Any, args: tuple[Any, ...], group: Any) -> Any:
    group = group or new_group("set")
    status = yield Msg("set", obj, value, *args, group=group)
    yield Msg("wait", None, group=group)
    yield Return(status)


def trigger(obj: Any, *, group: Any = None) -> Msg:
    """Start an acquisition of ``obj``; the response is its Status."""
    return Msg("trigger", obj, group=group)


def wait(group: Any = None, *, timeout: float | None = None, move_on: bool = False) -> Msg:
    """Wait for every Status in ``group`` to finish (``move_on``: don't fail on timeout)."""
    return Msg("wait", None, group=group, timeout=timeout, move_on=move_on)


def sleep(seconds: float) -> Msg:
    """Wait ``seconds`` without blocking the loop (pauses still act)."""
    return Msg("sleep", None, seconds)


def checkpoint() -> Msg:
    """Mark a point a paused plan rewinds to."""
    return Msg("checkpoint")


def clear_checkpoint() -> Msg:
    """Forget the last checkpoint: a pause before the next one aborts."""
    return Msg("clear_checkpoint")


def pause(defer: bool = False) -> Msg:
    """Ask the engine to pause (deferred: at the next checkpoint)."""
    return Msg("pause", defer=defer)


def null() -> Msg:
    """Do nothing."""
    return Msg("null")


def stage(obj: Any) -> Msg:
    """Stage ``obj`` (it is unstaged when the plan ends, whatever happens)."""
    return Msg("stage", obj)


def unstage(obj: Any) -> Msg:
    """Unstage ``obj``."""
    return Msg("unstage", obj)


def configure(obj: Any, *args: Any, **kwargs: Any) -> Msg:
    """Reconfigure ``obj``; the response is its (old, new) configuration."""
    return Msg("configure", obj, *args, **kwargs)


def declare_stream(*objs: Any, name: str, collect: bool = False) -> Msg:
    """Emit the descriptor of stream ``name`` before its first event."""
    return Msg("declare_stream", None, *objs, name=name, collect=collect)


def prepare(obj: Any, value: Any, *, group: Any = None, wait: bool = False) -> Msg:
    """Get a flyer or detector ready for ``value`` (e.g. a trigger info)."""
    return Msg("prepare", obj, value, group=group, wait=wait)


def kickoff(obj: Any, *, group: Any = None, wait: bool = False) -> Msg:
    """Start a fly scan."""
    return Msg("kickoff", obj, group=group, wait=wait)


def complete(obj: Any, *, group: Any = None, wait: bool = False) -> Msg:
    """Tell a flyer to finish."""
    return Msg("complete", obj, group=group, wait=wait)


def collect(*objs: Any, name: str | None = None) -> Msg:
    """Emit what the flyers gathered (in stream ``name``)."""
    return Msg("collect", *objs, name=name)


def monitor(obj: Any, *, name: str | None = None) -> Msg:
    """Emit an event in stream ``name`` each time ``obj`` updates, until unmonitored."""
    return Msg("monitor", obj, name=name)


def unmonitor(obj: Any) -> Msg:
    """Stop monitoring ``obj``."""
    return Msg("unmonitor", obj)


def subscribe(callback: Any, name: str = "all") -> Msg:
    """Send this plan's documents to ``callback`` too; the response is a token."""
    return Msg("subscribe", None, callback, name)


def unsubscribe(token: int) -> Msg:
    """Undo ``subscribe``."""
    return Msg("unsubscribe", None, token)


def install_suspender(suspender: Any) -> Msg:
    """Hold this plan while ``suspender`` trips."""
    return Msg("install_suspender", None, suspender)


def remove_suspender(suspender: Any) -> Msg:
    """Undo ``install_suspender``."""
    return Msg("remove_suspender", None, suspender)


async def mv(
    *args: Movable[Any] | float | str | Sequence[float], group: Any = None
) -> AsyncGenerator[Any, Any]:
    """Move devices to new values together and wait for all; return their statuses.

    Parameters
    ----------
    *args
        ``device1, value1, device2, value2, ...``.
    group
        The name of the group of statuses to wait for (default: a new one).

    """
    pairs = _pairs(args)
    group = group or new_group("mv")
    statuses = []
    for obj, value in pairs:
        statuses.append((yield Msg("set", obj, value, group=group)))
    yield Msg("wait", None, group=group)
    yield Return(tuple(statuses))


async def mvr(*args: Movable[Any] | float, group: Any = None) -> AsyncGenerator[Any, Any]:
    """Move each device by a step from where it is set now, together; return the statuses.

    Parameters
    ----------
    *args
        ``device1, delta1, device2, delta2, ...``.
    group
        The name of the group of statuses to wait for (default: a new one).

    """
    pairs = _pairs(args)
    targets: list[Any] = []
    for obj, delta in pairs:
        where = yield Msg("locate", obj)
        targets += [obj, where["setpoint"] + delta]
    statuses = yield mv(*targets, group=group)
    yield Return(statuses)


def trigger_and_read(
    devices: Sequence[Readable[Any]], name: str = "primary"
) -> Generator[Msg, Any, dict[str, Any]]:
    """Trigger the triggerable devices, wait, and read all of them into one event.

    Parameters
    ----------
    devices
        The devices to read (those that can be triggered are triggered first).
    name
        The stream the event goes to.

    """
    group = new_group("trigger")
    triggered = False
    for obj in devices:
        if hasattr(obj, "trigger"):
            yield make_msg("trigger", obj, group=group)
            triggered = True
    if triggered:
        yield make_msg("wait", None, group=group)
    yield make_msg("create", name=name)
    readings: dict[str, Any] = {}
    try:
        for obj in devices:
            readings.update((yield make_msg("read", obj)))
    except Exception:
        yield make_msg("drop")
        raise
    yield make_msg("save")
    return readings


def parallel(*plans: Any) -> Parallel:
    """Run ``plans`` concurrently; the response is the list of their results."""
    return Parallel(*plans)


def _pairs(args: Sequence[Any]) -> list[tuple[Any, Any]]:
    if len(args) % 2:
        raise ValueError(f"expected pairs of (device, value), got {len(args)} arguments")
    return list(zip(args[::2], args[1::2], strict=True))


def names(objs: Iterable[Any]) -> list[str]:
    """The names of ``objs`` (for plan metadata)."""
    return [str(getattr(o, "name", o)) for o in objs]

"""The handlers of bluesky's message vocabulary: one small function per command.

Each takes the engine's ``Context`` and the message and returns the response the plan
receives. An exception raised here is thrown into the plan, which may catch it. Which command
name runs which handler, and how each replays and dry-runs, is declared in ``_registry``.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Mapping
from typing import Any, get_args

from ._awaiting import describe_failure, maybe_await, status_error, status_future
from ._bundler import RunBundler
from ._cleanup import finish_flyers
from ._context import Context
from ._errors import IllegalMessageSequence, InvalidReading, WaitTimeout
from ._metadata import start_metadata
from ._msg import Msg
from ._session import Session
from ._state import ExitStatus
from ._waiting import (
    Deadline,
    seconds_to_sleep,
    sleep_interruptibly,
    stop_quietly,
    time_limit,
    wait_interruptibly,
)


def _track(
    ctx: Context,
    msg: Any,
    status: Any,
    action: str,
    timeout: float | None = None,
    grace: float = 0.0,
) -> Any:
    group = msg.kwargs.get("group")
    waited = status
    if timeout is not None:
        waited = Deadline(status, msg.obj, action, timeout, ctx.session.loop, grace)
    ctx.session.groups.setdefault(group, []).append((waited, msg.obj, action))
    ctx.watch_progress(status, msg.obj)
    return status


def _kwargs(msg: Msg, *drop: str) -> dict[str, Any]:
    kwargs = msg.kwargs
    if not kwargs or (len(kwargs) == 1 and drop and next(iter(kwargs)) == drop[0]):
        return {}
    return {k: v for k, v in kwargs.items() if k not in drop}


async def _wait_one(ctx: Context, status: Any, obj: Any, action: str) -> None:
    if not status.done:
        await wait_interruptibly(ctx.session, [status_future(status, ctx.session.loop)])
    await _raise_if_failed(status, obj, action)


async def _raise_if_failed(status: Any, obj: Any, action: str) -> None:
    """Raise why a finished status failed: its time-out (once its device stopped) or its error."""
    if type(status) is Deadline and status.error is not None:
        await status.stopped()
        raise status.error
    if status_error(status) is not None:
        raise describe_failure(status, obj, action)


# --- devices -------------------------------------------------------------------------------


def set_(ctx: Context, msg: Msg) -> Any:
    """``Msg('set', obj, value, group=None, timeout=None, **kwargs)``: start a move; its Status.

    With ``timeout`` the engine fails the move if it has not finished in time (and asks the
    device to stop); a device whose ``set`` takes a ``timeout`` is given it too, as bluesky does.
    """
    kwargs = _kwargs(msg, "group")
    timeout = time_limit(kwargs.get("timeout"), "set") if "timeout" in kwargs else None
    grace = 0.0
    if timeout is not None:
        if _takes_timeout(type(msg.obj)):
            grace = DEVICE_GRACE_S
        else:
            del kwargs["timeout"]
    ctx.session.remember(ctx.session.moved, msg.obj)
    status = msg.obj.set(*msg.args, **kwargs)
    action = f"set({', '.join(map(repr, msg.args))})"
    return _track(ctx, msg, status, action, timeout, grace)


def trigger(ctx: Context, msg: Msg) -> Any:
    """``Msg('trigger', obj, group=None, timeout=None)``: start an acquisition; its Status.

    ``timeout`` is the engine's to enforce (bluesky's ``trigger()`` takes no arguments): the
    acquisition fails if it has not finished in time, and the device is asked to stop.
    """
    kwargs = _kwargs(msg, "group")
    timeout = time_limit(kwargs.pop("timeout", None), "trigger")
    status = msg.obj.trigger(*msg.args, **kwargs)
    return _track(ctx, msg, status, "trigger()", timeout)


def _takes_timeout(kind: type) -> bool:
    """Whether ``kind.set`` accepts a ``timeout`` keyword (looked up once per device class)."""
    known = _TAKES_TIMEOUT.get(kind)
    if known is None:
        try:
            signature = inspect.signature(getattr(kind, "set"))  # noqa: B009
        except (TypeError, ValueError, AttributeError):
            known = False
        else:
            known = any(
                p.name == "timeout" or p.kind is p.VAR_KEYWORD
                for p in signature.parameters.values()
            )
        _TAKES_TIMEOUT[kind] = known
    return known


_TAKES_TIMEOUT: dict[type, bool] = {}

# A device told the timeout gets this long to fail by itself, with its own (better) error,
# before the engine gives up on it.
DEVICE_GRACE_S = 1.0


async def read(ctx: Context, msg: Msg) -> Any:
    """``Msg('read', obj)``: read it and add the reading to the open event bundle."""
    reading = await maybe_await(msg.obj.read())
    if type(reading) is not dict and not isinstance(reading, Mapping):
        name = getattr(msg.obj, "name", repr(msg.obj))
        raise InvalidReading(
            f"the read of {name} returned {reading!r}: read() must return a dict of readings "
            "(this is a bug in the device)"
        )
    bundler = ctx.session.runs.get(msg.run)
    if bundler is not None:
        await bundler.read(msg.obj, reading)
    return reading


async def locate(ctx: Context, msg: Msg) -> Any:
    """``Msg('locate', obj, *objs, squeeze=True)``: where they are (setpoint and readback)."""
    objs = (msg.obj, *msg.args)
    if len(objs) == 1:
        found = await maybe_await(msg.obj.locate())
        return found if msg.kwargs.get("squeeze", True) else [found]
    # several at once, concurrently (as bluesky does): slow controllers answer in parallel
    return list(await asyncio.gather(*(maybe_await(o.locate()) for o in objs)))


async def stop(ctx: Context, msg: Msg) -> Any:
    """``Msg('stop', obj)``: stop a device."""
    return await maybe_await(msg.obj.stop(*msg.args, **msg.kwargs))


async def configure(ctx: Context, msg: Msg) -> Any:
    """``Msg('configure', obj, *args, **kwargs)``: reconfigure; later events get new descriptors."""
    for bundler in ctx.session.runs.values():
        if bundler.bundling:
            raise IllegalMessageSequence("cannot 'configure' between 'create' and 'save'")
    result = await maybe_await(msg.obj.configure(*msg.args, **msg.kwargs))
    for bundler in ctx.session.runs.values():
        bundler.forget_descriptions(msg.obj)
    return result


async def _staging(ctx: Context, msg: Msg, method: str) -> Any:
    if not _stageable(msg.obj):
        # as in bluesky, staging is optional: plans stage whatever they are given; and what
        # could not be unstaged (or was never staged) is left alone, as bluesky's Stageable
        return []
    result = getattr(msg.obj, method)()
    if hasattr(result, "add_callback"):
        await _wait_one(ctx, result, msg.obj, method)
        return result
    return await maybe_await(result)


def _stageable(obj: Any) -> bool:
    return callable(getattr(obj, "stage", None)) and callable(getattr(obj, "unstage", None))


async def stage(ctx: Context, msg: Msg) -> Any:
    """``Msg('stage', obj)``: prepare the device for acquisition (unstaged at the end)."""
    result = await _staging(ctx, msg, "stage")
    if _stageable(msg.obj):
        ctx.session.remember(ctx.session.staged, msg.obj)
    return result


async def unstage(ctx: Context, msg: Msg) -> Any:
    """``Msg('unstage', obj)``: undo ``stage`` (a flyer not collected yet is collected first)."""
    s = ctx.session
    if id(msg.obj) in s.kicked_off and s.runs:
        await finish_flyers(s, next(iter(s.runs.values())), True, [], only=msg.obj)
    s.staged.pop(id(msg.obj), None)
    return await _staging(ctx, msg, "unstage")


async def _flyer_step(ctx: Context, msg: Msg, method: str, *args: Any) -> Any:
    status = getattr(msg.obj, method)(*args, **_kwargs(msg, "group", "wait"))
    _track(ctx, msg, status, method)
    if msg.kwargs.get("wait", False):
        await _wait_one(ctx, status, msg.obj, method)
    return status


async def prepare(ctx: Context, msg: Msg) -> Any:
    """``Msg('prepare', obj, value, group=None, wait=False)``: get a flyer/detector ready."""
    return await _flyer_step(ctx, msg, "prepare", *msg.args)


async def kickoff(ctx: Context, msg: Msg) -> Any:
    """``Msg('kickoff', obj, group=None, wait=False)``: start a fly scan."""
    ctx.session.remember(ctx.session.kicked_off, msg.obj)
    return await _flyer_step(ctx, msg, "kickoff", *msg.args)


async def complete(ctx: Context, msg: Msg) -> Any:
    """``Msg('complete', obj, group=None, wait=False)``: tell a flyer to finish."""
    ctx.session.completed.add(id(msg.obj))
    return await _flyer_step(ctx, msg, "complete", *msg.args)


async def collect(ctx: Context, msg: Msg) -> Any:
    """``Msg('collect', obj, *objs, name=None)``: emit what the flyers gathered.

    A flyer kicked off but never collected is completed and collected when the plan ends, so
    frames it wrote are referenced even when the plan failed half-way.
    """
    objs = (msg.obj, *msg.args)
    await ctx.session.run(msg.run).collect(objs, msg.kwargs.get("name"))
    for obj in objs:
        ctx.session.kicked_off.pop(id(obj), None)


# --- waiting -------------------------------------------------------------------------------


async def wait(ctx: Context, msg: Msg) -> Any:
    """``Msg('wait', group=None, timeout=None, move_on=False)``: until the group's Statuses end.

    Past ``timeout`` the unfinished ones fail the wait, naming each device, what it was doing
    and the limit; they are asked to stop — unless ``move_on``, which leaves them running.
    """
    s = ctx.session
    group = msg.kwargs.get("group", msg.args[0] if msg.args else None)
    timeout = time_limit(msg.kwargs.get("timeout"), "wait")
    entries = s.groups.pop(group, [])
    futures = [status_future(st, s.loop) for st, _obj, _a in entries if not st.done]
    if futures and not await wait_interruptibly(s, futures, timeout):
        late = [e for e in entries if not e[0].done]
        if msg.kwargs.get("move_on", False):
            s.groups.setdefault(group, []).extend(late)
            return None
        for _status, obj, _action in late:
            await stop_quietly(obj)
        doing = ", ".join(f"{action} of {_name(obj)!r}" for _st, obj, action in late)
        raise WaitTimeout(
            f"group {group!r} did not finish within {timeout} s: still waiting for {doing}; "
            "asked them to stop"
        )
    for status, obj, action in entries:
        if type(status) is Deadline or status_error(status) is not None:
            await _raise_if_failed(status, obj, action)
    return None


async def wait_for(ctx: Context, msg: Msg) -> Any:
    """``Msg('wait_for', obj, [callables returning awaitables], timeout=None)``.

    Past ``timeout`` the wait fails; ``obj``, the thing waited on if any, is asked to stop.
    """
    timeout = time_limit(msg.kwargs.get("timeout"), "wait_for")
    futures = [asyncio.ensure_future(f()) for f in msg.args[0]]
    try:
        finished = await wait_interruptibly(ctx.session, futures, timeout)
    finally:
        for future in futures:
            future.cancel()
        await asyncio.gather(*futures, return_exceptions=True)
    if not finished:
        on = "" if msg.obj is None else f" on {_name(msg.obj)!r}"
        if msg.obj is not None:
            await stop_quietly(msg.obj)
        raise WaitTimeout(f"wait_for{on} did not finish within {timeout} s")
    return [f.result() for f in futures]


async def sleep(ctx: Context, msg: Msg) -> Any:
    """``Msg('sleep', None, seconds)``: wait without blocking the loop (NaN, < 0, inf refused)."""
    await sleep_interruptibly(ctx.session, seconds_to_sleep(msg.args[0] if msg.args else None))


def null(ctx: Context, msg: Msg) -> Any:
    """``Msg('null')``: do nothing (useful as a no-op and for timing the engine)."""
    return None


# --- runs and events -----------------------------------------------------------------------


async def open_run(ctx: Context, msg: Msg) -> Any:
    """``Msg('open_run', **md)``: emit a start document; returns the run's uid.

    A plan that does not say ``plan_type``/``plan_name`` gets bluesky's defaults: "generator"
    and the name of the plan the engine was given.
    """
    s = ctx.session
    if msg.run in s.runs:
        raise IllegalMessageSequence(f"a run keyed {msg.run!r} is already open: close it first")
    plan_md = {"plan_type": "generator", "plan_name": _plan_name(s), **msg.kwargs}
    if "scan_id" not in s.call_md:
        ctx.md["scan_id"] = int(await maybe_await(ctx.scan_id_source(ctx.md)))
    md = start_metadata(ctx.md, plan_md, s.call_md, ctx.md_validator, ctx.md_normalizer)
    bundler = RunBundler(md, ctx.dispatcher.emit, ctx.dispatcher.push)
    s.runs[msg.run] = bundler
    s.run_uids.append(bundler.uid)
    await bundler.open()
    return bundler.uid


def _plan_name(s: Session) -> str:
    return str(getattr(s.driver.outermost, "__name__", "") or "")


async def close_run(ctx: Context, msg: Msg) -> Any:
    """``Msg('close_run', exit_status=None, reason=None)``: emit the stop document.

    An exit status other than success, abort or fail is refused — after the run is closed as
    failed, saying why, so it still gets a valid stop document.
    """
    bundler = ctx.session.run(msg.run)
    status = msg.kwargs.get("exit_status") or "success"
    reason = str(msg.kwargs.get("reason") or "")
    refused = None
    if status not in _EXIT_STATUSES:
        refused = ValueError(
            f"close_run: exit_status must be one of {', '.join(_EXIT_STATUSES)}, got {status!r}"
        )
        status, reason = "fail", str(refused)
    if ctx.session.kicked_off:
        errors: list[BaseException] = []
        await finish_flyers(ctx.session, bundler, status != "success", errors)
    del ctx.session.runs[msg.run]
    await bundler.close(status, reason)
    if refused is not None:
        raise refused
    return bundler.uid


_EXIT_STATUSES: tuple[str, ...] = get_args(ExitStatus)


def create(ctx: Context, msg: Msg) -> Any:
    """``Msg('create', name='primary')``: open an event bundle."""
    name = msg.kwargs.get("name", msg.args[0] if msg.args else "primary")
    ctx.session.run(msg.run).create(name)
    ctx.session.rewind.bundle_opened()


async def save(ctx: Context, msg: Msg) -> Any:
    """``Msg('save')``: emit the bundle as an event."""
    await ctx.session.run(msg.run).save()
    ctx.session.rewind.bundle_closed()


def drop(ctx: Context, msg: Msg) -> Any:
    """``Msg('drop')``: discard the bundle."""
    ctx.session.run(msg.run).drop()
    ctx.session.rewind.bundle_closed()


async def declare_stream(ctx: Context, msg: Msg) -> Any:
    """``Msg('declare_stream', None, *objs, name=..., collect=False)``: descriptor up front."""
    objs = tuple(o for o in (msg.obj, *msg.args) if o is not None)
    name = msg.kwargs["name"]
    return await ctx.session.run(msg.run).declare_stream(
        name, objs, msg.kwargs.get("collect", False)
    )


async def monitor(ctx: Context, msg: Msg) -> Any:
    """``Msg('monitor', obj, name=None)``: an event per update of ``obj`` during the run."""
    await ctx.session.run(msg.run).monitor(msg.obj, msg.kwargs.get("name"))


def unmonitor(ctx: Context, msg: Msg) -> Any:
    """``Msg('unmonitor', obj)``: stop monitoring."""
    ctx.session.run(msg.run).unmonitor(msg.obj)


# --- flow control --------------------------------------------------------------------------


def checkpoint(ctx: Context, msg: Msg) -> Any:
    """``Msg('checkpoint')``: a point a paused plan can rewind to (a deferred pause starts)."""
    for bundler in ctx.session.runs.values():
        if bundler.bundling:
            raise IllegalMessageSequence("cannot 'checkpoint' between 'create' and 'save'")
    ctx.session.rewind.checkpoint()
    ctx.checkpoint_reached()


def clear_checkpoint(ctx: Context, msg: Msg) -> Any:
    """``Msg('clear_checkpoint')``: from here until the next checkpoint a pause aborts."""
    ctx.session.rewind.clear_checkpoint()


def rewindable(ctx: Context, msg: Msg) -> Any:
    """``Msg('rewindable', None, flag)``: set whether messages may be replayed; returns it."""
    if msg.args and msg.args[0] is not None:
        ctx.session.rewind.rewindable = bool(msg.args[0])
    return ctx.session.rewind.rewindable


def pause(ctx: Context, msg: Msg) -> Any:
    """``Msg('pause', defer=False)``: the plan asks to be paused."""
    ctx.request_pause(bool(msg.kwargs.get("defer", False)))


def subscribe(ctx: Context, msg: Msg) -> Any:
    """``Msg('subscribe', None, callback, name='all')``: for this plan only; returns a token."""
    callback, names = msg.args[0], (msg.args[1] if len(msg.args) > 1 else "all")
    token = ctx.dispatcher.subscribe(_filtered(callback, names))
    ctx.session.plan_tokens.append(token)
    return token


def unsubscribe(ctx: Context, msg: Msg) -> Any:
    """``Msg('unsubscribe', None, token)``."""
    token = msg.args[0] if msg.args else msg.kwargs["token"]
    ctx.dispatcher.unsubscribe(token)
    if token in ctx.session.plan_tokens:
        ctx.session.plan_tokens.remove(token)


def install_suspender(ctx: Context, msg: Msg) -> Any:
    """``Msg('install_suspender', None, suspender)``: for the rest of this plan."""
    ctx.install_suspender(msg.args[0])
    ctx.session.plan_suspenders.append(msg.args[0])


def remove_suspender(ctx: Context, msg: Msg) -> Any:
    """``Msg('remove_suspender', None, suspender)``."""
    ctx.remove_suspender(msg.args[0])
    if msg.args[0] in ctx.session.plan_suspenders:
        ctx.session.plan_suspenders.remove(msg.args[0])


def _name(obj: Any) -> str:
    return str(getattr(obj, "name", None) or repr(obj))


def _filtered(callback: Callable[[str, Any], Any], names: Any) -> Callable[[str, Any], Any]:
    if names in ("all", None):
        return callback
    wanted = {names} if isinstance(names, str) else set(names)

    def only_some(name: str, doc: Any) -> Any:
        return callback(name, doc) if name in wanted else None

    only_some.__qualname__ = getattr(callback, "__qualname__", repr(callback))
    return only_some


async def check_value(ctx: Context, msg: Msg) -> Any:
    """``Msg('check_value', obj, value)``: raise if ``obj`` would refuse ``value`` (its limits).

    Plans check their targets with it before anything moves; a dry run checks them against
    the limits it was given instead.
    """
    check = getattr(msg.obj, "check_value", None)
    if check is not None:
        await maybe_await(check(*msg.args))

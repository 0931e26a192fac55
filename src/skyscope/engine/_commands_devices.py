"""Handlers that move, trigger, read, locate, stop, configure and check devices."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Mapping
from typing import Any

from ._awaiting import Spelled, maybe_await
from ._commands import handler_kwargs, track
from ._context import Context
from ._errors import IllegalMessageSequence, InvalidReading
from ._msg import Msg
from ._waiting import time_limit


def set_(ctx: Context, msg: Msg) -> Any:
    """``Msg('set', obj, value, group=None, timeout=None, **kwargs)``: start a move; its Status.

    With ``timeout`` the engine fails the move if it has not finished in time (and asks the
    device to stop); a device whose ``set`` takes a ``timeout`` is given it too, as bluesky does.
    """
    obj, args = msg.obj, msg.args
    ctx.session.moved.setdefault(id(obj), obj)
    if len(args) == 1 and _group_at_most(msg.kwargs):  # the usual set(value): the hot path
        return track(ctx, msg, obj.set(args[0]), Spelled("set", args))
    kwargs = handler_kwargs(msg, "group")
    timeout = time_limit(kwargs.get("timeout"), "set") if "timeout" in kwargs else None
    grace = 0.0
    if timeout is not None:
        if _takes_timeout(type(obj)):
            grace = DEVICE_GRACE_S
        else:
            del kwargs["timeout"]
    return track(ctx, msg, obj.set(*args, **kwargs), Spelled("set", args), timeout, grace)


def trigger(ctx: Context, msg: Msg) -> Any:
    """``Msg('trigger', obj, group=None, timeout=None)``: start an acquisition; its Status.

    ``timeout`` is the engine's to enforce (bluesky's ``trigger()`` takes no arguments): the
    acquisition fails if it has not finished in time, and the device is asked to stop.
    """
    if not msg.args and _group_at_most(msg.kwargs):  # the usual trigger(): the hot path
        return track(ctx, msg, msg.obj.trigger(), "trigger()")
    kwargs = handler_kwargs(msg, "group")
    timeout = kwargs.pop("timeout", None)
    if timeout is not None:
        timeout = time_limit(timeout, "trigger")
    return track(ctx, msg, msg.obj.trigger(*msg.args, **kwargs), "trigger()", timeout)


def _group_at_most(kwargs: dict[str, Any]) -> bool:
    """Whether the message's keywords are at most its ``group`` (nothing for the device)."""
    return not kwargs or (len(kwargs) == 1 and "group" in kwargs)


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
    if bundler is not None and (asking := bundler.read(msg.obj, reading)) is not None:
        await asking
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


async def check_value(ctx: Context, msg: Msg) -> Any:
    """``Msg('check_value', obj, value)``: raise if ``obj`` would refuse ``value`` (its limits).

    Plans check their targets with it before anything moves; a dry run checks them against
    the limits it was given instead.
    """
    check = getattr(msg.obj, "check_value", None)
    if check is not None:
        await maybe_await(check(*msg.args))

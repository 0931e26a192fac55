"""Handlers of the fly-scan steps: ``prepare``, ``kickoff``, ``complete`` and ``collect``."""

from __future__ import annotations

from typing import Any

from ._commands import handler_kwargs, track, wait_one
from ._context import Context
from ._msg import Msg


async def _flyer_step(ctx: Context, msg: Msg, method: str, *args: Any) -> Any:
    status = getattr(msg.obj, method)(*args, **handler_kwargs(msg, "group", "wait"))
    track(ctx, msg, status, method)
    if msg.kwargs.get("wait", False):
        await wait_one(ctx, status, msg.obj, method)
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

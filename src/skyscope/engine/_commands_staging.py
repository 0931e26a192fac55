"""Handlers of ``stage`` and ``unstage``: preparing devices for acquisition and undoing it."""

from __future__ import annotations

from typing import Any

from ._awaiting import maybe_await
from ._cleanup import finish_flyers
from ._commands import track, wait_one
from ._context import Context
from ._msg import Msg


async def _staging(ctx: Context, msg: Msg, method: str) -> Any:
    """Call ``method``; a Status it returns is waited for, or joins the message's ``group``."""
    if not _stageable(msg.obj):
        # as in bluesky, staging is optional: plans stage whatever they are given; and what
        # could not be unstaged (or was never staged) is left alone, as bluesky's Stageable
        return []
    result = getattr(msg.obj, method)()
    if hasattr(result, "add_callback"):
        if "group" in msg.kwargs:  # the plan waits on the group (bluesky's way): start them all
            track(ctx, msg, result, f"{method}()")
        else:
            await wait_one(ctx, result, msg.obj, method)
        return result
    return await maybe_await(result)


def _stageable(obj: Any) -> bool:
    return callable(getattr(obj, "stage", None)) and callable(getattr(obj, "unstage", None))


async def stage(ctx: Context, msg: Msg) -> Any:
    """``Msg('stage', obj, group=None)``: prepare the device for acquisition (unstaged at the end).

    Staged when this returns, unless the message names a ``group``: then its Status joins the
    group and the plan waits for it, so several devices stage at once (as in bluesky).
    """
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

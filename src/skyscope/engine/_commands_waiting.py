"""Handlers that wait: for a group of Statuses, for awaitables, for time, or for nothing."""

from __future__ import annotations

import asyncio
from typing import Any

from ._awaiting import status_error
from ._cleanup import INTERRUPTED_WAIT
from ._commands import all_succeeded, name_of, raise_if_failed
from ._context import Context
from ._errors import WaitForTimeoutError
from ._handed import HandedFutures
from ._msg import Msg
from ._session import Interrupted
from ._wait_group import wait_for_group
from ._waiting import (
    Deadline,
    seconds_to_sleep,
    sleep_interruptibly,
    stop_quietly,
    time_limit,
    wait_interruptibly,
)


def wait(ctx: Context, msg: Msg) -> Any:
    """``Msg('wait', group=None, timeout=None, move_on=False, watch=())``: the group's Statuses.

    Returns True once all have finished; the first to fail, or any of the ``watch`` groups'
    to fail, ends the wait at once with its failure. Past ``timeout`` the unfinished ones fail
    the wait (``WaitForTimeoutError``), naming each device, what it was doing and the limit;
    they are asked to stop and stay in the group, so a plan that catches the error can wait
    again. With ``move_on`` (bluesky's ``error_on_timeout=False``) the wait returns False
    instead and leaves them running.
    """
    s = ctx.session
    kwargs = msg.kwargs
    group = kwargs.get("group", msg.args[0] if msg.args else None)
    timeout = kwargs.get("timeout")
    if timeout is not None:
        timeout = time_limit(timeout, "wait")
    entries = s.groups.pop(group, None)
    if not entries:
        return True
    if ctx.waiting_hook is None and not kwargs.get("watch") and all_succeeded(entries):
        return True  # the hot path of soft devices: nothing to wait for, no coroutine made
    return _wait(ctx, msg, group, timeout, entries)


async def _wait(
    ctx: Context, msg: Msg, group: Any, timeout: float | None, entries: list[Any]
) -> bool:
    s = ctx.session
    kwargs = msg.kwargs
    hook = ctx.waiting_hook
    if hook is not None:
        hook({getattr(st, "status", st) for st, _obj, _a in entries})
    watched = [e for name in kwargs.get("watch", ()) for e in s.groups.get(name, ())]
    statuses = [e[0] for e in entries]
    try:
        try:
            finished = await wait_for_group(s, statuses, [e[0] for e in watched], timeout)
        except Interrupted:  # kept for the cleanup: a stopped plan's trigger must not outlive it
            s.groups.setdefault(INTERRUPTED_WAIT, []).extend(e for e in entries if not e[0].done)
            raise
        if not finished:
            late = [e for e in entries if not e[0].done]
            s.groups.setdefault(group, []).extend(late)
            if kwargs.get("move_on", False) or not kwargs.get("error_on_timeout", True):
                hook = None  # bluesky's hook hears of the group again at the next wait
                return False
            for status, _obj, _action in late:  # stopped and reported here, not again
                s.unwaited.reported(getattr(status, "status", status))
            await _time_out(group, timeout, late)
        for status, obj, action in (*entries, *watched):
            if status.done and (type(status) is Deadline or status_error(status) is not None):
                await raise_if_failed(status, obj, action, s.unwaited)
        return True
    finally:
        if hook is not None:
            hook(None)


async def _time_out(group: Any, timeout: float | None, late: list[Any]) -> None:
    """Ask the late ones to stop and raise, naming them and what they were doing."""
    for _status, obj, _action in late:
        await stop_quietly(obj)
    doing = ", ".join(f"{action} of {name_of(obj)!r}" for _st, obj, action in late)
    raise WaitForTimeoutError(
        f"group {group!r} did not finish within {timeout} s: still waiting for {doing}; "
        "asked them to stop"
    )


async def wait_for(ctx: Context, msg: Msg) -> Any:
    """``Msg('wait_for', obj, [callables returning awaitables], timeout=None)``.

    Returns the finished tasks (``HandedFutures``), as bluesky does: a failure the plan does
    not look at is thrown into it at its next step. Past ``timeout`` the wait fails; ``obj``,
    the thing waited on if any, is asked to stop.
    """
    timeout = time_limit(msg.kwargs.get("timeout"), "wait_for")
    futures = [asyncio.ensure_future(f()) for f in msg.args[0]]
    # waited for through asyncio.wait, which leaves a failure unread for the plan to look at
    settled = [asyncio.ensure_future(asyncio.wait(futures))] if futures else []
    try:
        finished = await wait_interruptibly(ctx.session, settled, timeout)
    except BaseException:
        await _cancel(futures)
        raise
    if not finished:
        await _cancel(futures)
        on = "" if msg.obj is None else f" on {name_of(msg.obj)!r}"
        if msg.obj is not None:
            await stop_quietly(msg.obj)
        raise WaitForTimeoutError(f"wait_for{on} did not finish within {timeout} s")
    return HandedFutures(futures)


async def _cancel(futures: list[asyncio.Future[Any]]) -> None:
    for future in futures:
        future.cancel()
    await asyncio.gather(*futures, return_exceptions=True)


async def sleep(ctx: Context, msg: Msg) -> Any:
    """``Msg('sleep', None, seconds)``: wait without blocking the loop (NaN, < 0, inf refused)."""
    await sleep_interruptibly(ctx.session, seconds_to_sleep(msg.args[0] if msg.args else None))


def null(ctx: Context, msg: Msg) -> Any:
    """``Msg('null')``: do nothing (useful as a no-op and for timing the engine)."""
    return None

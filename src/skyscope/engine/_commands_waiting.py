"""Handlers that wait: for a group of Statuses, for awaitables, for time, or for nothing."""

from __future__ import annotations

import asyncio
from typing import Any

from ._awaiting import status_error, status_future
from ._commands import name_of, raise_if_failed
from ._context import Context
from ._errors import WaitTimeout
from ._msg import Msg
from ._waiting import (
    Deadline,
    seconds_to_sleep,
    sleep_interruptibly,
    stop_quietly,
    time_limit,
    wait_interruptibly,
)


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
        doing = ", ".join(f"{action} of {name_of(obj)!r}" for _st, obj, action in late)
        raise WaitTimeout(
            f"group {group!r} did not finish within {timeout} s: still waiting for {doing}; "
            "asked them to stop"
        )
    for status, obj, action in entries:
        if type(status) is Deadline or status_error(status) is not None:
            await raise_if_failed(status, obj, action)
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
        on = "" if msg.obj is None else f" on {name_of(msg.obj)!r}"
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

"""Waiting on a group of Statuses: until all finish, one fails, a watched one fails, or time's up.

This is bluesky's ``wait`` rule: a failure ends the wait at once (the others need not be waited
out before the plan hears of it), and statuses of *watched* groups end it too when they fail,
though the wait does not wait for them to finish.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from ._awaiting import on_loop, status_error
from ._session import Interrupted, Session


def _failed(status: Any) -> bool:
    return bool(status.done) and status_error(status) is not None


async def wait_for_group(
    s: Session, statuses: Sequence[Any], watched: Sequence[Any], timeout: float | None
) -> bool:
    """Wait as the module says; True once it ended, False on timeout; Interrupted on request."""
    pending = [st for st in statuses if not st.done]
    if any(_failed(st) for st in statuses) or any(_failed(st) for st in watched):
        return True
    if not pending:
        return True
    ended: asyncio.Future[None] = s.loop.create_future()
    left = [len(pending)]

    def counted(status: Any) -> None:
        left[0] -= 1
        if (left[0] == 0 or status_error(status) is not None) and not ended.done():
            ended.set_result(None)

    def watched_one(status: Any) -> None:
        if status_error(status) is not None and not ended.done():
            ended.set_result(None)

    count = on_loop(s.loop, counted)
    for st in pending:
        st.add_callback(count)
    watch = on_loop(s.loop, watched_one)
    for st in watched:
        if not st.done:
            st.add_callback(watch)
    try:
        done, _ = await asyncio.wait(
            (ended, s.interrupt), timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
    finally:
        ended.cancel()  # a status finishing later finds it settled and does nothing
    if ended in done:
        return True
    if s.interrupt in done:
        raise Interrupted
    return False

"""What the engine does while a suspender holds the plan: pre-plans, wait, sleep, post-plans.

The wait is a ``Msg('wait_for')`` the engine executes itself, as bluesky does: a ``msg_hook``
sees the hold among the plan's messages, and a control request ends it as it ends any wait.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from ._handed import raise_unseen
from ._msg import Msg
from ._parallel import run_plan
from ._session import Session
from ._suspenders import Suspender
from ._waiting import sleep_interruptibly

Execute = Callable[[Session, Any], Awaitable[Any]]


async def hold_while_suspended(s: Session, suspenders: list[Suspender], execute: Execute) -> None:
    """Run the tripped suspenders' pre-plans, wait for all to clear, sleep, run post-plans.

    Raises Interrupted if a control request (abort, stop, halt) arrives meanwhile.
    """
    tripped = [x for x in suspenders if x.tripped]
    s.rewind.enter_side(breaks_rewind=False)  # the side plans' messages are not replayed
    try:
        for suspender in tripped:
            if suspender.pre_plan is not None:
                await run_plan(s, suspender.pre_plan(), execute)
        raise_unseen(
            await execute(s, Msg("wait_for", None, [lambda: _wait_all_cleared(suspenders)]))
        )
        await sleep_interruptibly(s, max((x.sleep for x in tripped), default=0.0))
        for suspender in tripped:
            if suspender.post_plan is not None:
                await run_plan(s, suspender.post_plan(), execute)
    finally:
        s.rewind.leave_side()


async def _wait_all_cleared(suspenders: list[Suspender]) -> None:
    """Until no suspender is tripped (one may trip again while another clears)."""
    while any(x.tripped for x in suspenders):
        waiters = [asyncio.ensure_future(x.wait_cleared()) for x in suspenders if x.tripped]
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
            await asyncio.gather(*waiters, return_exceptions=True)

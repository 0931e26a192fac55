"""What the engine does while a suspender holds the plan: pre-plans, wait, sleep, post-plans."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from ._parallel import run_plan
from ._session import Interrupted, Session
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
        await _wait_all_cleared(s, suspenders)
        await sleep_interruptibly(s, max((x.sleep for x in tripped), default=0.0))
        for suspender in tripped:
            if suspender.post_plan is not None:
                await run_plan(s, suspender.post_plan(), execute)
    finally:
        s.rewind.leave_side()


async def _wait_all_cleared(s: Session, suspenders: list[Suspender]) -> None:
    while any(x.tripped for x in suspenders):
        waiters = [asyncio.ensure_future(x.wait_cleared()) for x in suspenders if x.tripped]
        try:
            done, _ = await asyncio.wait(
                [*waiters, s.interrupt], return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for waiter in waiters:
                waiter.cancel()
            await asyncio.gather(*waiters, return_exceptions=True)
        if s.interrupt in done:
            raise Interrupted

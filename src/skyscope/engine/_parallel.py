"""Run sub-plans side by side (move two axes while a detector arms) with structured concurrency.

Every branch runs in a task of one ``TaskGroup``: the first failure cancels the others and is
thrown into the parent plan; no branch outlives the ``yield Parallel(...)``. A branch's
messages are not cached for rewinding, so a pause inside a parallel block aborts the run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from ._driver import Finished, PlanDriver
from ._handed import HandedFutures
from ._session import Session

Execute = Callable[[Session, Any], Awaitable[Any]]


async def run_plan(s: Session, plan: Any, execute: Execute) -> Any:
    """Drive ``plan`` to its end through ``execute`` and return its result."""
    driver = PlanDriver(plan)
    response: Any = None
    error: BaseException | None = None
    while True:
        item = await driver.advance(response, error)
        if type(response) is HandedFutures and (unseen := response.unseen_failure()) is not None:
            if isinstance(item, Finished):
                raise unseen
            response, error = None, unseen  # as the engine's loop does for the plan
            continue
        if isinstance(item, Finished):
            return item.value
        try:
            response, error = await execute(s, item), None
        except Exception as failure:
            response, error = None, failure


async def run_branches(s: Session, plans: tuple[Any, ...], execute: Execute) -> list[Any]:
    """Run ``plans`` concurrently; return their results in order, or raise the first failure."""
    s.rewind.enter_side(breaks_rewind=True)
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(run_plan(s, plan, execute)) for plan in plans]
    except BaseExceptionGroup as failures:
        raise failures.exceptions[0] from None
    finally:
        s.rewind.leave_side()
    return [task.result() for task in tasks]

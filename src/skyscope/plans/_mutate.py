"""Wrap a plan message by message: the machinery behind the wrappers (bluesky's plan_mutator).

``intercept(plan, around)`` drives ``plan`` — sub-plans included — itself, forwarding every
message to the engine and every response and exception back, while ``around(msg)`` may put
a plan before and/or after any message. ``replace_msgs`` rewrites messages one by one.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from typing import Any

from ..engine import Finished, PlanDriver, Return

Around = Callable[[Any], tuple[Any, Any]]
"""Given a message, return (a plan to run before it or None, a plan to run after it or None)."""


def _no_change(msg: Any) -> Any:
    return msg


def _nothing_around(msg: Any) -> tuple[Any, Any]:
    return None, None


async def intercept(
    plan: Any, around: Around = _nothing_around, replace: Callable[[Any], Any] = _no_change
) -> AsyncGenerator[Any, Any]:
    """Run a plan with each message swapped for ``replace(msg)`` and wrapped by ``around(msg)``.

    Parameters
    ----------
    plan
        The plan to run.
    around
        Given a message, returns (a plan to run before it or None, a plan after it or None).
    replace
        Given a message, returns the message (or plan) to send instead.

    """
    driver = PlanDriver(plan)
    response: Any = None
    error: BaseException | None = None
    try:
        while True:
            item = await driver.advance(response, error)
            if isinstance(item, Finished):
                break
            is_msg = hasattr(item, "command")
            before, after = around(item) if is_msg else (None, None)
            try:
                if before is not None:
                    yield before
                response, error = (yield replace(item) if is_msg else item), None
                if after is not None:
                    yield after
            except Exception as failure:
                response, error = None, failure
    finally:
        await driver.close()
    yield Return(item.value)


def replace_msgs(plan: Any, replace: Callable[[Any], Any]) -> AsyncGenerator[Any, Any]:
    """Run ``plan`` with each message swapped for ``replace(msg)`` (a message or a plan)."""
    return intercept(plan, replace=replace)

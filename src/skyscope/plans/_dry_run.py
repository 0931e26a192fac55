"""List the messages a plan would send, answering each with a synthetic response.

Touches no hardware: ``read`` answers an empty reading, moves and triggers a finished
status, ``locate`` the last position the plan set (0.0 before any). Async plans and bluesky's
plain-generator plans alike; sub-plans are followed as the engine would.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from itertools import count
from typing import Any

from ..engine import PlanDriver
from ..engine._driver import Finished
from ..engine._msg import Parallel

# A dry run stops here rather than loop forever on an endless plan (count(num=None)).
DEFAULT_MAX_MESSAGES = 100_000


class DoneStatus:
    """A status that has already succeeded (bluesky's Status protocol)."""

    done = True
    success = True

    def add_callback(self, callback: Callable[[Any], None]) -> None:
        """Call ``callback`` at once: there is nothing to wait for."""
        callback(self)

    def exception(self, timeout: float | None = 0.0) -> None:
        """There is no exception."""
        return

    def __await__(self) -> Any:
        return asyncio.sleep(0).__await__()


async def dry_run(plan: Any, *, max_messages: int = DEFAULT_MAX_MESSAGES) -> list[Any]:
    """Return every message ``plan`` yields, in order, as if the engine had run it."""
    responder = _Responder()
    messages: list[Any] = []
    driver = PlanDriver(plan)
    response: Any = None
    try:
        while len(messages) < max_messages:
            item = await driver.send(response)
            if isinstance(item, Finished):
                return messages
            if isinstance(item, Parallel):
                response = [await dry_run(p, max_messages=max_messages) for p in item.plans]
                messages.extend(m for sub in response for m in sub)
                continue
            messages.append(item)
            response = responder(item)
    finally:
        await driver.close()
    raise RuntimeError(f"dry_run: the plan sent more than {max_messages} messages; stopped there")


class _Responder:
    def __init__(self) -> None:
        self._positions: dict[int, Any] = {}
        self._uids = count(1)
        self._tokens = count(1)

    def __call__(self, msg: Any) -> Any:
        command = msg.command
        if command in ("set", "trigger", "kickoff", "complete", "prepare"):
            if command == "set":
                self._positions[id(msg.obj)] = msg.args[0]
            return DoneStatus()
        if command == "read":
            return {}
        if command == "locate":
            where = self._positions.get(id(msg.obj), 0.0)
            return {"setpoint": where, "readback": where}
        if command == "open_run":
            return f"dry-run-{next(self._uids)}"
        if command == "subscribe":
            return next(self._tokens)
        if command == "rewindable":
            return True
        return None

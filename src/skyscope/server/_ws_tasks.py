"""Serve a websocket with a few concurrent tasks until the first of them ends."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from starlette.websockets import WebSocketDisconnect

GONE = (WebSocketDisconnect, OSError, RuntimeError)
"""What a task raises when its client went away: the end of the conversation, not an error."""


async def until_first_done(*coroutines: Coroutine[Any, Any, None]) -> None:
    """Run ``coroutines`` until one ends, cancel the rest; re-raise a real error of the first."""
    tasks = [asyncio.ensure_future(coroutine) for coroutine in coroutines]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for task in done:
        error = task.exception()
        if error is not None and not isinstance(error, GONE):
            raise error

"""The ``input`` command: a plan asks the operator a question at the terminal and gets the answer.

The prompt is written and the line read on a worker thread, so the loop keeps serving devices,
subscribers and control requests meanwhile; a pause or a stop ends the wait for the answer.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from ._context import Context
from ._msg import Msg
from ._waiting import wait_interruptibly


async def input_(ctx: Context, msg: Msg) -> Any:
    """``Msg('input', None, prompt='')``: the line the operator types, without its newline."""
    prompt = str(msg.kwargs.get("prompt", ""))
    answer = asyncio.ensure_future(asyncio.to_thread(_ask, prompt))
    try:
        await wait_interruptibly(ctx.session, [answer])
    finally:
        if not answer.done():
            answer.cancel()  # the thread stays on its read until a line comes; nobody waits
    return answer.result()


def _ask(prompt: str) -> str:
    """Write ``prompt`` and read one line from standard input (blocking: a worker thread's job)."""
    sys.stdout.write(prompt)
    sys.stdout.flush()
    line = sys.stdin.readline()
    if not line:
        raise EOFError("the plan asked for input, but standard input is closed")
    return line.removesuffix("\n")

"""Waiting that a control request can cut short: the only places a hard pause interrupts."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from ._session import Interrupted, Session


async def wait_interruptibly(
    s: Session, futures: Iterable[asyncio.Future[Any]], timeout: float | None = None
) -> bool:
    """Wait for all ``futures``; False on timeout; raise Interrupted on a control request."""
    pending = {f for f in futures if not f.done()}
    if not pending:
        return True
    gathered = asyncio.gather(*pending, return_exceptions=True)
    done, _ = await asyncio.wait(
        (gathered, s.interrupt), timeout=timeout, return_when=asyncio.FIRST_COMPLETED
    )
    if gathered in done:
        return True
    gathered.cancel()  # cancels only futures nobody else owns: the engine's own adapters
    gathered.add_done_callback(_consume)
    if s.interrupt in done:
        raise Interrupted
    return False


def _consume(future: asyncio.Future[Any]) -> None:
    """Read a cancelled gather's outcome so asyncio does not log it as never retrieved."""
    if not future.cancelled():
        future.exception()


async def sleep_interruptibly(s: Session, seconds: float) -> None:
    """Sleep ``seconds``, or raise Interrupted as soon as a control request arrives."""
    if seconds <= 0:
        await asyncio.sleep(0)
        return
    done, _ = await asyncio.wait((s.interrupt,), timeout=seconds)
    if done:
        raise Interrupted

"""Leave the hardware safe on every way out of a plan: stop movers, finish flyers, unstage.

Each step runs even if an earlier one failed; failures are logged and returned so the run's
result can report them, and the run's stop document is still emitted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

from ._awaiting import maybe_await, status_error, status_future
from ._bundler import RunBundler
from ._session import Session

logger = logging.getLogger(__name__)

# How long an interrupted run gives its flyers to complete before giving up on them.
FLYER_COMPLETE_TIMEOUT_S = 10.0

# How long a plan stopped in a wait gives the Statuses it waited for (a trigger mid-exposure) to
# finish before they are cancelled; an abort or halt cancels them at once.
STATUS_SETTLE_TIMEOUT_S = 2.0

INTERRUPTED_WAIT = object()
"""The group an interrupted ``wait`` leaves its unfinished Statuses in, for ``settle_statuses``."""


async def quietly(step: Awaitable[Any], what: str, errors: list[BaseException]) -> None:
    """Await ``step``; log and record any exception instead of raising it."""
    try:
        await step
    except Exception as error:
        logger.exception("cleanup: %s failed", what)
        errors.append(error)


async def stop_moved(s: Session, success: bool, errors: list[BaseException]) -> None:
    """Call ``stop`` on every device the plan moved."""
    for obj in list(s.moved.values()):
        if hasattr(obj, "stop"):
            await quietly(_stop(obj, success), f"stopping {_name(obj)}", errors)


async def call_on_seen(s: Session, method: str, errors: list[BaseException]) -> None:
    """Call ``pause``/``resume`` on every device seen that has it (bluesky's Pausable)."""
    for obj in list(s.seen.values()):
        if callable(getattr(obj, method, None)) and callable(getattr(obj, "resume", None)):
            await quietly(_call(obj, method), f"{method} {_name(obj)}", errors)


async def _call(obj: Any, method: str) -> None:
    """Call ``obj.method()`` inside the awaitable, so ``quietly`` records what it raises too."""
    await maybe_await(getattr(obj, method)())


async def finish_flyers(
    s: Session,
    bundler: RunBundler | None,
    interrupted: bool,
    errors: list[BaseException],
    only: Any = None,
) -> None:
    """Complete every flyer not told to, and collect what each gathered into ``bundler``'s run.

    Runs before a run's stop document (and before a flyer is unstaged), so frames a flyer
    wrote are referenced even when the plan failed or was aborted half-way through a
    sequence. ``only`` limits this to one flyer.
    """
    timeout = FLYER_COMPLETE_TIMEOUT_S if interrupted else None
    flyers = [only] if only is not None else list(s.kicked_off.values())
    for obj in flyers:
        if id(obj) not in s.completed:
            await quietly(_complete(s, obj, timeout), f"completing flyer {_name(obj)}", errors)
        if bundler is not None and hasattr(obj, "describe_collect"):
            await quietly(bundler.collect((obj,), None), f"collecting {_name(obj)}", errors)
        s.kicked_off.pop(id(obj), None)
        s.completed.discard(id(obj))


async def settle_statuses(s: Session, patient: bool) -> None:
    """Let the Statuses an interrupted ``wait`` left running finish (``patient``), or cancel them.

    A plan stopped while waiting for a trigger leaves the camera mid-exposure: unstaging under
    it would fail the frame (or close the file it writes to), and the Status's task would
    outlive the plan. So the engine settles them before the plan's own cleanup unstages, and
    as it cut their wait short, what they end with is logged, never raised into the plan as the
    run's error. Only those are settled: a Status the plan never waited for is left alone, as
    bluesky does.
    """
    interrupted = s.groups.pop(INTERRUPTED_WAIT, [])
    for status, _obj, _action in interrupted:  # before they end: a late failure is pardoned too
        s.unwaited.reported(_device_status(status))
    pending = [e for e in interrupted if not e[0].done]
    if pending:
        await _settle(s, pending, patient)
    for status, obj, action in interrupted:
        error = status_error(_device_status(status)) if status.done else None
        if error is not None:
            logger.warning("cleanup: %s of %s, cut short, ended: %s", action, _name(obj), error)


async def _settle(s: Session, pending: list[Any], patient: bool) -> None:
    """Wait up to ``STATUS_SETTLE_TIMEOUT_S`` for ``pending`` (if ``patient``), then cancel."""
    futures = {id(status): status_future(status, s.loop) for status, _obj, _action in pending}
    if patient:
        await asyncio.wait(futures.values(), timeout=STATUS_SETTLE_TIMEOUT_S)
    cancelled = []
    for status, obj, action in pending:
        if not status.done and _cancel(status):
            cancelled.append(futures[id(status)])
        elif not status.done:
            logger.warning("cleanup: %s of %s is still running", action, _name(obj))
    if cancelled:
        await asyncio.wait(cancelled, timeout=STATUS_SETTLE_TIMEOUT_S)


def _device_status(status: Any) -> Any:
    """The device's own Status (a Deadline, an engine time limit, watches it)."""
    return getattr(status, "status", status)


def _cancel(status: Any) -> bool:
    """Cancel a Status (the device's own, under an engine time limit); False if it cannot be."""
    cancel = getattr(_device_status(status), "cancel", None)
    return bool(cancel()) if callable(cancel) else False


async def unstage_all(s: Session, errors: list[BaseException]) -> None:
    """Unstage everything still staged, last staged first."""
    for obj in reversed(list(s.staged.values())):
        await quietly(_unstage(s, obj), f"unstaging {_name(obj)}", errors)
    s.staged.clear()


async def close_runs(
    s: Session, exit_status: str, reason: str, errors: list[BaseException]
) -> None:
    """Emit a stop document for every run still open."""
    for key, bundler in list(s.runs.items()):
        bundler.discard_bundle()
        await quietly(bundler.close(exit_status, reason), f"closing run {bundler.uid}", errors)
        del s.runs[key]


async def _stop(obj: Any, success: bool) -> None:
    try:
        await maybe_await(obj.stop(success=success))
    except TypeError:
        await maybe_await(obj.stop())


async def _complete(s: Session, obj: Any, timeout: float | None) -> None:
    status = obj.complete()
    if hasattr(status, "add_callback") and not status.done:
        await asyncio.wait_for(status_future(status, s.loop), timeout)
    else:
        await maybe_await(status)


async def _unstage(s: Session, obj: Any) -> None:
    result = obj.unstage()
    if hasattr(result, "add_callback"):
        if not result.done:
            await status_future(result, s.loop)
    else:
        await maybe_await(result)


def _name(obj: Any) -> str:
    return str(getattr(obj, "name", None) or repr(obj))

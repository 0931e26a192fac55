"""Waiting: cut short by control requests, and bounded by the time limits plans ask for.

``wait_interruptibly`` and ``sleep_interruptibly`` are the only places a hard pause interrupts.
A ``Deadline`` is how the engine enforces ``timeout=`` on ``set``/``trigger``: a Status that has
not finished in time counts as failed, and its device is asked to stop.
"""

from __future__ import annotations

import asyncio
import logging
import math
import numbers
from collections.abc import Callable, Iterable
from typing import Any

from ._awaiting import Action, maybe_await, status_error, status_future
from ._errors import WaitTimeout
from ._session import Interrupted, Session

logger = logging.getLogger(__name__)


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


def seconds_to_sleep(value: Any) -> float:
    """Return ``value`` as seconds to sleep, refusing NaN, negative and infinite durations."""
    if _is_number(value) and math.isfinite(value) and value >= 0:
        return float(value)
    raise ValueError(
        f"sleep needs a finite number of seconds >= 0, got {value!r}: a NaN or infinite sleep "
        "would never end and a negative one means a bug in the plan"
    )


def time_limit(value: Any, command: str) -> float | None:
    """Return a message's ``timeout=`` in seconds (None: no limit), refusing what makes no sense.

    ``None`` and ``inf`` mean no limit; NaN, negative numbers and non-numbers are refused.
    """
    if value is None:
        return None
    if not _is_number(value) or math.isnan(value) or value < 0:
        raise ValueError(
            f"{command}: timeout must be None or a number of seconds >= 0, got {value!r}"
        )
    return None if math.isinf(value) else float(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


class Deadline:
    """A device's Status seen through the time limit a plan gave it.

    Speaks bluesky's Status protocol, so the engine waits on it like on the Status itself: it
    finishes when the Status does, or fails ``timeout`` seconds after it started, with a
    ``WaitTimeout`` naming the device, what it was doing and the limit — and then the device is
    asked to stop (``stop(success=False)``) where it can.
    """

    def __init__(
        self,
        status: Any,
        obj: Any,
        action: Action,
        timeout: float,
        loop: asyncio.AbstractEventLoop,
        grace: float = 0.0,
    ) -> None:
        """Watch ``status`` of ``obj`` (doing ``action``) for ``timeout`` seconds on ``loop``.

        ``grace`` more seconds are allowed to a device that was told the timeout itself, so
        its own time-out error, when it has one, is the one reported.
        """
        self.status = status
        self.obj = obj
        self.action = action
        self.timeout = timeout
        self.error: WaitTimeout | None = None
        self._callbacks: list[Callable[[Any], None]] = []
        self._stopping: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        if not status.done:
            self._timer = loop.call_later(timeout + grace, self._expire)
            status_future(status, loop).add_done_callback(self._settled)

    @property
    def done(self) -> bool:
        """Whether the Status finished or the time limit passed."""
        return self.error is not None or bool(self.status.done)

    @property
    def success(self) -> bool:
        """Whether the Status finished in time and without an error."""
        return self.error is None and bool(self.status.done) and status_error(self.status) is None

    def exception(self, timeout: float | None = 0.0) -> BaseException | None:
        """The time-out error, the Status's own error, or None."""
        return self.error if self.error is not None else status_error(self.status)

    def add_callback(self, callback: Callable[[Any], None]) -> None:
        """Call ``callback(self)`` once done (at once if it already is)."""
        if self.done:
            callback(self)
        else:
            self._callbacks.append(callback)

    async def stopped(self) -> None:
        """Wait until the device asked to stop has stopped (or failed to)."""
        if self._stopping is not None:
            await asyncio.shield(self._stopping)

    def _settled(self, _future: asyncio.Future[None]) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self.error is None:
            self._notify()

    def _expire(self) -> None:
        if self.status.done:
            return  # its completion is on its way to _settled
        self.error = WaitTimeout(
            f"{self.action} of {_name(self.obj)!r} did not finish within {self.timeout} s; "
            "asked it to stop"
        )
        self._stopping = asyncio.ensure_future(stop_quietly(self.obj))
        self._notify()

    def _notify(self) -> None:
        callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback(self)


async def stop_quietly(obj: Any) -> None:
    """Ask ``obj`` to stop after a failure, if it can; log (never raise) what goes wrong."""
    stop = getattr(obj, "stop", None)
    if not callable(stop):
        return
    try:
        try:
            await maybe_await(stop(success=False))
        except TypeError:
            await maybe_await(stop())
    except Exception:
        logger.exception("stopping %s after a time-out failed", _name(obj))


def _name(obj: Any) -> str:
    return str(getattr(obj, "name", None) or repr(obj))

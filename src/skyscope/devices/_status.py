"""``Status``: the handle on one device operation (a move, a trigger, a put) running on the loop.

A Status is awaitable and also speaks bluesky's ``Status`` protocol (``done``, ``success``,
``exception()``, ``add_callback``), so skyscope's engine and bluesky's RunEngine can both wait on
it. It fails with an error naming the device, the operation and the reason (``StatusFailedError``);
a timeout or a cancellation is a failure too, never a silent hang or a bare ``CancelledError``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine, Generator
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, Self, TypeVar

import numpy as np

from ._errors import StatusCancelledError, StatusFailedError, StatusTimeoutError

T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")

_log = logging.getLogger(__name__)


class _Named(Protocol):
    @property
    def name(self) -> str: ...


N = TypeVar("N", bound=_Named)

StatusCallback = Callable[["Status[Any]"], None]
"""What ``add_callback`` takes: a function called with the status once it is done."""


class Status(Generic[T]):
    """One running (or finished) device operation: awaitable, with bluesky's Status interface."""

    __slots__ = (
        "__weakref__",
        "_action",
        "_callbacks",
        "_cancel_reason",
        "_exception",
        "_name",
        "_operation",
        "_result",
        "_task",
        "_timeout",
        "_timer",
    )

    _action: str | Callable[[], str]
    _callbacks: list[StatusCallback]
    _cancel_reason: str | None
    _exception: BaseException | None
    _name: str
    _operation: Awaitable[T] | None
    _result: T | None
    _task: asyncio.Task[T] | None
    _timeout: float | None
    _timer: asyncio.TimerHandle | None

    def __init__(
        self,
        operation: Awaitable[T],
        *,
        name: str = "",
        action: str = "operation",
        timeout: float | None = None,
    ) -> None:
        """Start ``operation`` as a task on the running loop; give up after ``timeout`` seconds."""
        self._init_fields(name, action)
        self._operation = operation
        self._timeout = timeout
        loop = _running_loop(name, action, operation)
        self._task = loop.create_task(self._run(operation))
        self._task.add_done_callback(self._finish)
        if timeout is not None:
            self._timer = loop.call_later(timeout, self._expire)

    def _init_fields(self, name: str, action: str | Callable[[], str]) -> None:
        """Set every field; ``action`` may be a function giving the text, spelt on first use.

        Spelling a float costs about 1 µs, and a move that finishes at once is asked what it
        was only if something reports it.
        """
        self._name = name
        self._action = action
        self._callbacks = []
        self._cancel_reason = None
        self._exception = None
        self._result = None
        self._timer = None
        self._timeout = None
        self._operation = None
        self._task = None

    @classmethod
    def succeeded(cls, result: T, *, name: str = "", action: str = "operation") -> Status[T]:
        """Return a Status that is already done and successful (no task: for instant operations)."""
        status: Status[T] = cls.__new__(cls)
        status._init_fields(name, action)
        status._result = result
        return status

    @classmethod
    def failed(cls, error: BaseException, *, name: str = "", action: str = "operation") -> Self:
        """Return a Status that is already done and failed with ``error`` (wrapped to name us)."""
        status = cls.__new__(cls)
        status._init_fields(name, action)
        status._exception = status._give_up(error)
        return status

    @classmethod
    def wrap(
        cls, method: Callable[Concatenate[N, P], Coroutine[Any, Any, R]]
    ) -> Callable[Concatenate[N, P], Status[R]]:
        """Turn an ``async def`` method of a named device into one that returns a Status."""

        @functools.wraps(method)
        def start(device: N, /, *args: P.args, **kwargs: P.kwargs) -> Status[R]:
            action = describe_action(method.__name__, *args)
            return Status(method(device, *args, **kwargs), name=device.name, action=action)

        return start

    # --- bluesky's Status protocol -------------------------------------------------------------

    @property
    def done(self) -> bool:
        """Whether the operation has finished, successfully or not."""
        return self._task is None or self._task.done()

    @property
    def success(self) -> bool:
        """Whether the operation has finished without an error."""
        if self._task is None:  # finished at once (no task): the engine's hot path asks this
            return self._exception is None
        return self._task.done() and self.exception() is None

    def exception(self, timeout: float | None = 0.0) -> BaseException | None:
        """Return the error the operation failed with, or ``None`` (also while still running)."""
        if timeout not in (0, 0.0, None):
            raise ValueError("Status.exception() cannot block; pass timeout=0 or await the status")
        task = self._task
        if task is None or not task.done():
            return self._exception
        if task.cancelled():
            return self._cancelled_error()
        return task.exception()

    def add_callback(self, callback: StatusCallback) -> None:
        """Call ``callback(status)`` when the operation is done (at once if it already is)."""
        if self.done:
            callback(self)
        else:
            self._callbacks.append(callback)

    # --- asyncio -------------------------------------------------------------------------------

    def __await__(self) -> Generator[Any, None, T]:
        """Wait for the operation; cancelling the waiter does not cancel the operation."""
        task = self._task
        if task is not None and not task.done():
            waiter = task.get_loop().create_future()
            task.add_done_callback(functools.partial(_release, waiter))
            yield from waiter
        return self.result()

    def result(self) -> T:
        """Return the operation's result, or raise its error; raise if it has not finished."""
        if not self.done:
            raise asyncio.InvalidStateError(f"{self!r} is not done yet")
        error = self.exception()
        if error is not None:
            raise error
        if self._task is not None:
            return self._task.result()
        return self._result  # type: ignore[return-value]

    def cancel(self, reason: str = "cancelled") -> bool:
        """Stop waiting for the operation: it ends failed with ``reason``; False if already done."""
        if self.done or self._task is None:
            return False
        self._cancel_reason = reason
        return self._task.cancel()

    @property
    def task(self) -> asyncio.Task[T] | None:
        """The task running the operation (``None`` for one that finished at once)."""
        return self._task

    @property
    def name(self) -> str:
        """The name of the device this operation belongs to."""
        return self._name

    @property
    def action(self) -> str:
        """What the operation is, e.g. ``set(5.0)`` or ``trigger()``."""
        action = self._action
        if type(action) is not str:  # spelt on first use (see ``_init_fields``)
            action = self._action = action()  # type: ignore[operator]
        return action

    def __repr__(self) -> str:
        """Say which device, what operation, and how it stands: pending, done or failed."""
        if not self.done:
            state = "pending"
        elif (error := self.exception()) is not None:
            reason = error.reason if isinstance(error, StatusFailedError) else str(error)
            state = f"failed: {reason}"
        else:
            state = "done"
        return f"<{type(self).__name__} {self._name or '<unnamed>'} {self.action}: {state}>"

    # --- internals -----------------------------------------------------------------------------

    async def _run(self, operation: Awaitable[T]) -> T:
        try:
            return await operation
        except asyncio.CancelledError:
            raise self._cancelled_error() from None
        except Exception as error:
            raise self._give_up(error) from error

    def _give_up(self, error: BaseException) -> BaseException:
        if isinstance(error, StatusFailedError) or not isinstance(error, Exception):
            return error
        message = str(error)
        reason = f"{type(error).__name__}: {message}" if message else type(error).__name__
        failure = StatusFailedError(self._name, self.action, reason)
        failure.__cause__ = error
        return failure

    def _cancelled_error(self) -> StatusFailedError:
        if self._cancel_reason == "timeout" and self._timeout is not None:
            return StatusTimeoutError(self._name, self.action, self._timeout)
        reason = self._cancel_reason or "cancelled"
        return StatusCancelledError(self._name, self.action, reason)

    def _expire(self) -> None:
        if not self.done and self._task is not None:
            self._cancel_reason = "timeout"
            self._task.cancel()

    def _finish(self, task: asyncio.Task[T]) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if isinstance(self._operation, Coroutine):
            # A task cancelled before its first step never starts the operation: close it so
            # Python does not warn that it was never awaited.
            self._operation.close()
        if not task.cancelled():
            task.exception()  # mark retrieved: the status reports it, not the loop's GC hook
        callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            _call_safely(callback, self)


def _running_loop(name: str, action: str, operation: Awaitable[Any]) -> asyncio.AbstractEventLoop:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        if isinstance(operation, Coroutine):
            operation.close()
        raise RuntimeError(
            f"{name or '<unnamed device>'}: {action} needs a running event loop: "
            "call it from async code (or from a plan run by an engine)"
        ) from None


def _release(waiter: asyncio.Future[None], _task: object) -> None:
    if not waiter.done():
        waiter.set_result(None)


def _call_safely(callback: StatusCallback, status: Status[Any]) -> None:
    try:
        callback(status)
    except Exception:
        _log.exception("status callback %r raised for %r", callback, status)


def describe_action(verb: str, *args: object) -> str:
    """Spell an operation for messages, e.g. ``set(5.0)``, shortening long arguments."""
    if len(args) == 1 and type(args[0]) in _SHORT_SCALARS:  # the usual move: one number
        return f"{verb}({args[0]!r})"
    text = ", ".join(_short_repr(arg) for arg in args)
    return f"{verb}({text})"


_SHORT_SCALARS = frozenset({float, int, bool})
"""Types whose repr is always short: spelt without the shortening (a move's usual target)."""


def _short_repr(value: object, limit: int = 40) -> str:
    text = repr(value.item() if isinstance(value, np.generic) else value)
    return text if len(text) <= limit else text[: limit - 3] + "..."

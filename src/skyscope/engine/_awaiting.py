"""Turn whatever a device hands back into something the engine's loop can await.

Devices from three families come through here: skyscope's and ophyd-async's (awaitable
statuses and coroutines), and ophyd's (thread-completed statuses with ``add_callback``). All
of bluesky's Status objects support ``add_callback``, so that is the common ground.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Callable
from types import CoroutineType
from typing import Any

from ._errors import FailedStatus


class Spelled:
    """What a command asked of a device, e.g. ``set(0.5)``, spelt only when a message needs it.

    Spelling a float costs about a microsecond on every move; the text is read only when a
    status fails or times out.
    """

    __slots__ = ("_args", "_verb")

    def __init__(self, verb: str, args: tuple[Any, ...]) -> None:
        """Remember the command's verb and arguments."""
        self._verb, self._args = verb, args

    def __str__(self) -> str:
        return f"{self._verb}({', '.join(map(repr, self._args))})"

    def __repr__(self) -> str:
        return repr(str(self))


Action = str | Spelled
"""What the engine says a device was doing: text, or text spelt on demand."""


async def maybe_await(value: Any) -> Any:
    """Await ``value`` if it is awaitable, else return it (sync and async devices alike)."""
    if type(value) is CoroutineType or inspect.isawaitable(value):
        return await value
    return value


def on_loop(loop: asyncio.AbstractEventLoop, react: Callable[[Any], None]) -> Callable[[Any], None]:
    """``react`` as a Status callback that runs on ``loop``, whichever thread finishes it.

    ophyd's statuses finish on their own threads; the engine's state lives on its loop.
    """
    owner = threading.get_ident()

    def callback(status: Any) -> None:
        if threading.get_ident() == owner:
            react(status)
        else:
            loop.call_soon_threadsafe(react, status)

    return callback


def status_future(status: Any, loop: asyncio.AbstractEventLoop) -> asyncio.Future[None]:
    """Return a future on ``loop`` that finishes when ``status`` does (never cancels it)."""
    future: asyncio.Future[None] = loop.create_future()

    def settle(_status: Any) -> None:
        if not future.done():
            future.set_result(None)

    status.add_callback(on_loop(loop, settle))
    return future


def status_error(status: Any) -> BaseException | None:
    """Return why a finished ``status`` failed, or None if it succeeded."""
    if getattr(status, "success", True):
        return None
    exception = getattr(status, "exception", None)
    error = exception() if callable(exception) else exception
    if isinstance(error, BaseException):
        return error
    return RuntimeError("status finished unsuccessfully without saying why")


def describe_failure(status: Any, obj: Any, action: Action) -> FailedStatus:
    """Build the error a plan sees for a failed status, naming the device and the reason."""
    error = status_error(status)
    name = getattr(obj, "name", None) or repr(obj)
    if error is not None and name in str(error):
        failure = FailedStatus(str(error))  # the device's own message already names it
    else:
        reason = f"{type(error).__name__}: {error}" if error is not None else "no reason given"
        failure = FailedStatus(f"{action} of {name!r} failed: {reason}")
    failure.__cause__ = error
    return failure

"""The server process's console output: what is printed and logged, kept and pushed.

bluesky-queueserver captures its worker's stdout; here the worker is this process, so while a
server runs, ``sys.stdout`` and ``sys.stderr`` are teed (everything printed still reaches the
terminal: a plan's prints, tracebacks) and a handler on the root logger adds every logger's
records at INFO and above (the root's level goes from its default WARNING to INFO meanwhile;
a logger given its own level keeps it). Messages come from any thread; the newest are kept,
at most ``capacity`` of them and ``capacity_chars`` characters, a message cut past
``MAX_MESSAGE_CHARS``, and pushed to listeners on the loop.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import sys
import threading
import time
from collections.abc import AsyncIterator
from typing import Any, TextIO

from ._uids import new_uid

CAPACITY = 10_000
CAPACITY_CHARS = 4_000_000
MAX_MESSAGE_CHARS = 64_000
LISTENER_BACKLOG = 10_000


STREAMS = ("stdout", "stderr")
"""The ``sys`` streams teed into the console output."""


class _Tee:
    """A text stream writing to ``stream`` and handing every write to ``capture``."""

    def __init__(self, stream: TextIO, capture: ConsoleOutput) -> None:
        self.stream, self.capture = stream, capture

    def write(self, text: str) -> int:
        written = self.stream.write(text)
        if text:
            self.capture.add(text)
        return written

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


class _Handler(logging.Handler):
    """Log records as console lines, in bluesky-queueserver's ``[I date module] msg`` shape.

    With ``echo`` (the root logger had no handler of its own, so Python's last-resort handler
    printed warnings), records at WARNING and above are also written there, as before.
    """

    def __init__(self, capture: ConsoleOutput, echo: TextIO | None) -> None:
        super().__init__(logging.INFO)
        self.capture, self.echo = capture, echo
        self.setFormatter(logging.Formatter("[%(levelname).1s %(asctime)s %(name)s] %(message)s\n"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
            self.capture.add(line)
            if self.echo is not None and record.levelno >= logging.WARNING:
                self.echo.write(line)
        except Exception:  # a logging handler must never raise
            self.handleError(record)


class ConsoleOutput:
    """Console messages (``{"time", "msg"}``), each with a uid, kept and fanned out."""

    def __init__(self, capacity: int = CAPACITY, capacity_chars: int = CAPACITY_CHARS) -> None:
        """Keep the newest messages: at most ``capacity`` of them, ``capacity_chars`` in all."""
        self._messages: collections.deque[tuple[str, dict[str, Any]]] = collections.deque(
            maxlen=capacity
        )
        self.capacity_chars = capacity_chars
        self._chars = 0
        self.uid = new_uid()
        """Changes with every message (``console_output_uid``)."""
        self._listeners: set[asyncio.Queue[dict[str, Any] | None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: int | None = None
        self._tees: dict[str, _Tee] = {}
        self._handler: _Handler | None = None
        self._level: int | None = None

    # --- capture -------------------------------------------------------------------------

    def install(self) -> None:
        """Start capturing (on the loop that will serve the listeners)."""
        if self._tees:
            return
        self._loop, self._thread = asyncio.get_running_loop(), threading.get_ident()
        root = logging.getLogger()
        echo = None if root.handlers else sys.stderr  # what the last-resort handler wrote to
        for name in STREAMS:
            self._tees[name] = _Tee(getattr(sys, name), self)
            setattr(sys, name, self._tees[name])
        self._handler = _Handler(self, echo)
        if root.level == logging.WARNING:  # the default: the operator's choice is kept
            self._level = root.level
            root.setLevel(logging.INFO)
        root.addHandler(self._handler)

    def uninstall(self) -> None:
        """Stop capturing; end every listener."""
        for name, tee in self._tees.items():
            if getattr(sys, name) is tee:
                setattr(sys, name, tee.stream)
        self._tees.clear()
        root = logging.getLogger()
        if self._handler is not None:
            root.removeHandler(self._handler)
            self._handler = None
        if self._level is not None:
            root.setLevel(self._level)
            self._level = None
        for queue in self._listeners:
            queue.put_nowait(None)
        self._listeners.clear()

    def add(self, text: str) -> None:
        """Take a message (from any thread)."""
        message = {"time": time.time(), "msg": text}
        if self._loop is None or threading.get_ident() == self._thread:
            self._keep(message)
            return
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody listens any more
            self._loop.call_soon_threadsafe(self._keep, message)

    def _keep(self, message: dict[str, Any]) -> None:
        text: str = message["msg"]
        if len(text) > MAX_MESSAGE_CHARS:
            cut = len(text) - MAX_MESSAGE_CHARS
            message["msg"] = text = f"{text[:MAX_MESSAGE_CHARS]}… ({cut} characters cut)\n"
        self.uid = new_uid()
        if len(self._messages) == self._messages.maxlen:
            self._chars -= len(self._messages[0][1]["msg"])
        self._messages.append((self.uid, message))
        self._chars += len(text)
        while self._chars > self.capacity_chars and len(self._messages) > 1:
            self._chars -= len(self._messages.popleft()[1]["msg"])
        for queue in list(self._listeners):
            if queue.qsize() >= LISTENER_BACKLOG:  # too slow: cut off rather than grow
                self._listeners.discard(queue)
                queue.put_nowait(None)
            else:
                queue.put_nowait(message)

    # --- reading -------------------------------------------------------------------------

    def text(self, nlines: int = 200) -> str:
        """The last ``nlines`` lines of output as one text."""
        text = "".join(m["msg"] for _, m in self._messages)
        return "\n".join(text.split("\n")[-nlines - 1 :]) if nlines > 0 else ""

    def since(self, last_msg_uid: str) -> dict[str, Any]:
        """Messages after the one with ``last_msg_uid`` (``"ALL"``: every one kept)."""
        uids = [u for u, _ in self._messages]
        if last_msg_uid == "ALL":
            start = 0
        elif last_msg_uid in uids:
            start = uids.index(last_msg_uid) + 1
        else:  # unknown (or too old): nothing, and the uid to ask from next time
            start = len(uids)
        messages = [m for _, m in list(self._messages)[start:]]
        last = uids[-1] if uids else ""
        return {"last_msg_uid": last, "console_output_msgs": messages}

    async def listen(self) -> AsyncIterator[dict[str, Any]]:
        """Every message from now on, until capture stops."""
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self._listeners.add(queue)
        try:
            while (message := await queue.get()) is not None:
                yield message
        finally:
            self._listeners.discard(queue)

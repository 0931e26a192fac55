"""The server process's console output: prints and skyscope's log lines, kept and pushed.

bluesky-queueserver captures its worker's stdout; here the worker is this process, so while a
server runs, ``sys.stdout`` is teed (everything printed still reaches the terminal) and a log
handler on the ``skyscope`` logger (engine, plans, server) adds INFO and above. Messages come
from any thread; they are kept (the newest ``capacity``) and pushed to listeners on the loop.
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
LISTENER_BACKLOG = 10_000
LOGGER = "skyscope"


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
    """Log records as console lines, in bluesky-queueserver's ``[I date module] msg`` shape."""

    def __init__(self, capture: ConsoleOutput) -> None:
        super().__init__(logging.INFO)
        self.capture = capture
        self.setFormatter(logging.Formatter("[%(levelname).1s %(asctime)s %(name)s] %(message)s\n"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.capture.add(self.format(record))
        except Exception:  # a logging handler must never raise
            self.handleError(record)


class ConsoleOutput:
    """Console messages (``{"time", "msg"}``), each with a uid, kept and fanned out."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        """Keep the newest ``capacity`` messages."""
        self._messages: collections.deque[tuple[str, dict[str, Any]]] = collections.deque(
            maxlen=capacity
        )
        self.uid = new_uid()
        """Changes with every message (``console_output_uid``)."""
        self._listeners: set[asyncio.Queue[dict[str, Any] | None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: int | None = None
        self._tee: _Tee | None = None
        self._handler: _Handler | None = None
        self._level: int | None = None

    # --- capture -------------------------------------------------------------------------

    def install(self) -> None:
        """Start capturing (on the loop that will serve the listeners)."""
        if self._tee is not None:
            return
        self._loop, self._thread = asyncio.get_running_loop(), threading.get_ident()
        self._tee = _Tee(sys.stdout, self)
        sys.stdout = self._tee
        self._handler = _Handler(self)
        logger = logging.getLogger(LOGGER)
        if logger.level == logging.NOTSET:  # an explicit level is the operator's choice
            self._level = logger.level
            logger.setLevel(logging.INFO)
        logger.addHandler(self._handler)

    def uninstall(self) -> None:
        """Stop capturing; end every listener."""
        if self._tee is not None and sys.stdout is self._tee:
            sys.stdout = self._tee.stream
        self._tee = None
        logger = logging.getLogger(LOGGER)
        if self._handler is not None:
            logger.removeHandler(self._handler)
            self._handler = None
        if self._level is not None:
            logger.setLevel(self._level)
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
        self.uid = new_uid()
        self._messages.append((self.uid, message))
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

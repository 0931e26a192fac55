"""Ctrl-C in a terminal: the first press asks for a deferred pause, a second a hard pause."""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
import time
from collections.abc import Callable

# A second Ctrl-C within this many seconds of the first escalates to a hard pause.
ESCALATE_WITHIN_S = 10.0


class SigintHandler:
    """Installed on the loop while a plan runs, when the loop runs in the main thread."""

    def __init__(self, request_pause: Callable[[bool], None]) -> None:
        self._request_pause = request_pause
        self._last_press = 0.0
        self._loop: asyncio.AbstractEventLoop | None = None
        self.armed = False
        """True while a plan runs under this handler (a caller on another thread forwards to it)."""

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        """Take over SIGINT on ``loop`` if this is the main thread and the loop supports it."""
        if threading.current_thread() is not threading.main_thread():
            return
        try:
            loop.add_signal_handler(signal.SIGINT, self._on_sigint)
        except (NotImplementedError, RuntimeError, ValueError):
            return
        self._loop = loop

    def remove(self) -> None:
        """Give SIGINT back (Python's default KeyboardInterrupt)."""
        if self._loop is not None:
            self._loop.remove_signal_handler(signal.SIGINT)
            self._loop = None

    def _on_sigint(self) -> None:
        now = time.monotonic()
        hard = now - self._last_press < ESCALATE_WITHIN_S
        self._last_press = now
        if hard:
            print("\nskyscope: pausing now.", file=sys.stderr)
        else:
            print(
                "\nskyscope: pausing at the next checkpoint "
                f"(Ctrl-C again within {ESCALATE_WITHIN_S:.0f} s to pause now).",
                file=sys.stderr,
            )
        self._request_pause(not hard)

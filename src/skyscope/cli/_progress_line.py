"""A one-line progress report of an acquisition, from its documents: frames, ETA, lateness.

The engine's progress updates tell how far a move has gone; how far a run has gone is in its
documents: the start's ``num_points`` (the frames planned), one ``primary`` event per frame,
and each MDA frame's ``lateness_s`` (how far behind its schedule it started). On a terminal the
line is redrawn in place; elsewhere (a log, a pipe) a line is written at most every few seconds,
and always at the end.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any, TextIO

_ON_TIME_S = 0.01
"""Lateness below this counts as on time."""


class ProgressLine:
    """A document subscriber drawing ``12/40 frames  30%  ETA 0:00:14  on time`` to ``out``."""

    def __init__(
        self,
        out: TextIO,
        *,
        stream: str = "primary",
        clock: Callable[[], float] = time.monotonic,
        every_s: float | None = None,
    ) -> None:
        """Count the events of ``stream``; redraw in place on a tty, else every ``every_s``."""
        self._out = out
        self._stream = stream
        self._clock = clock
        self._tty = bool(getattr(out, "isatty", lambda: False)())
        self._every_s = every_s if every_s is not None else (0.1 if self._tty else 5.0)
        self._frames: set[str] = set()
        self.total: int | None = None
        self.done = 0
        self.late_s = 0.0
        self._began = 0.0
        self._shown_at = -math.inf

    def __call__(self, name: str, doc: dict[str, Any]) -> None:
        """Follow one document."""
        if name == "start":
            points = doc.get("num_points")
            self.total = points if isinstance(points, int) else None
            self.done, self.late_s, self._began = 0, 0.0, self._clock()
            self._frames.clear()
        elif name == "descriptor" and doc.get("name") == self._stream:
            self._frames.add(doc["uid"])
        elif name == "event" and doc.get("descriptor") in self._frames:
            self._count(1, doc["data"].get("lateness_s"))
        elif name == "event_page" and doc.get("descriptor") in self._frames:
            late = doc["data"].get("lateness_s") or [None]
            self._count(len(doc["seq_num"]), late[-1])
        elif name == "stop":
            self._show(final=True)

    def line(self) -> str:
        """The report as it stands."""
        parts = [f"{self.done}/{self.total if self.total is not None else '?'} frames"]
        if self.total:
            parts.append(f"{100 * self.done // self.total:3d}%")
        parts.append(f"ETA {self._eta()}")
        parts.append("on time" if self.late_s < _ON_TIME_S else f"{self.late_s:.2f} s late")
        return "  ".join(parts)

    def _count(self, frames: int, late_s: Any) -> None:
        self.done += frames
        if isinstance(late_s, int | float) and not isinstance(late_s, bool):
            self.late_s = max(0.0, float(late_s))
        self._show()

    def _eta(self) -> str:
        if not self.total or not self.done:
            return "?"
        left = max(self.total - self.done, 0)
        seconds = (self._clock() - self._began) / self.done * left
        return _clock_time(seconds)

    def _show(self, *, final: bool = False) -> None:
        now = self._clock()
        if not final and now - self._shown_at < self._every_s:
            return
        self._shown_at = now
        if self._tty:
            self._out.write(f"\r{self.line():<70}" + ("\n" if final else ""))
        else:
            self._out.write(self.line() + "\n")
        self._out.flush()


def _clock_time(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"

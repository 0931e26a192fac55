"""How far a started plan is: frames done of the total, an ETA, and how late the schedule runs.

Counted from the plan's documents (a subscriber), so it needs nothing from the plans: a start
document's ``num_points`` gives the total, each event of the ``primary`` stream is one frame,
and an event's ``lateness_s`` (the MDA records it) is how late that frame started.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

PRIMARY = "primary"


@dataclass
class RunProgress:
    """Frames done of a plan's runs, the total when known, and the last frame's lateness."""

    frames_done: int = 0
    frames_total: int | None = None
    lateness_s: float | None = None
    started_at: float | None = None
    """When the first run started (``time.monotonic``); None before any run opened."""
    _totals: dict[str, int | None] = field(default_factory=dict, repr=False)
    _primary: set[str] = field(default_factory=set, repr=False)

    @property
    def fraction(self) -> float | None:
        """Frames done over the total, or None while the total is unknown."""
        if not self.frames_total:
            return None
        return min(self.frames_done / self.frames_total, 1.0)

    @property
    def eta_s(self) -> float | None:
        """Seconds left at the pace so far, or None while unknown (no frame yet, no total)."""
        if self.frames_total is None or self.started_at is None or self.frames_done == 0:
            return None
        elapsed = time.monotonic() - self.started_at
        left = max(self.frames_total - self.frames_done, 0)
        return elapsed / self.frames_done * left

    def __call__(self, name: str, doc: Any) -> None:
        """Take one document from the engine (this object is the handle's subscriber)."""
        if name == "event":
            if doc["descriptor"] in self._primary:
                self.frames_done += 1
                lateness = doc["data"].get("lateness_s")
                if isinstance(lateness, int | float):
                    self.lateness_s = float(lateness)
        elif name == "descriptor":
            if doc.get("name") == PRIMARY:
                self._primary.add(doc["uid"])
        elif name == "start":
            self._on_start(doc)

    def _on_start(self, doc: Any) -> None:
        if self.started_at is None:
            self.started_at = time.monotonic()
        points = doc.get("num_points")
        self._totals[doc["uid"]] = points if isinstance(points, int) else None
        totals = list(self._totals.values())
        self.frames_total = None if None in totals else sum(t for t in totals if t is not None)

    def summary(self) -> str:
        """One short line: ``12/100 frames, ETA 0:34, 0.02 s late`` (what is known of it)."""
        if self.started_at is None:
            return "no run yet"
        total = "?" if self.frames_total is None else str(self.frames_total)
        parts = [f"{self.frames_done}/{total} frames"]
        eta = self.eta_s
        if eta is not None:
            minutes, seconds = divmod(round(eta), 60)
            parts.append(f"ETA {minutes}:{seconds:02d}")
        if self.lateness_s is not None:
            parts.append(f"{self.lateness_s:.2f} s late")
        return ", ".join(parts)

"""The rewind cache: the messages since the last checkpoint, replayed after a pause.

One rule decides what is cached (``note``): a message is remembered when its command replays
(``Command.replay``), it is not part of a side branch (a parallel block, a suspender's
plans), a checkpoint is active and the plan is rewindable. A replayable message sent after
``clear_checkpoint`` makes the plan unresumable until the next checkpoint; inside
``rewindable(False)`` nothing is remembered, so a resume there goes on from where the plan
paused, replaying nothing (as bluesky does: aborting would lose the user's run).
"""

from __future__ import annotations

from collections import deque
from typing import Any


class Rewind:
    """What a resume replays, and whether it can."""

    __slots__ = ("_rewindable", "bundle_start", "cache", "interrupted", "replay", "side_depth",
                 "unreplayable")  # fmt: skip

    def __init__(self) -> None:
        self.cache: list[Any] | None = []
        """Messages since the last checkpoint; None after ``clear_checkpoint``."""
        self._rewindable = True
        self.unreplayable = False
        """A message since the last checkpoint could not be remembered."""
        self.bundle_start: int | None = None
        """Where the open event bundle's messages start in the cache."""
        self.side_depth = 0
        """How many side branches (parallel blocks, suspender plans) are running."""
        self.replay: deque[Any] = deque()
        """Messages to execute again before the plan is stepped further."""
        self.interrupted: Any = None
        """The message a control request interrupted (replayed too)."""

    @property
    def rewindable(self) -> bool:
        """False inside ``rewindable(False)``: nothing is remembered, a resume replays nothing."""
        return self._rewindable

    @rewindable.setter
    def rewindable(self, value: bool) -> None:
        if value != self._rewindable:  # what was remembered belongs to the other mode: forget it
            self.forget()
        self._rewindable = value

    def note(self, msg: Any, replay: bool) -> None:
        """The one caching rule: remember ``msg`` for a rewind, or note that it cannot be."""
        if self.side_depth or not replay or not self._rewindable:
            return
        if self.cache is not None:
            self.cache.append(msg)
        else:
            self.unreplayable = True

    def forget(self) -> None:
        """Replay nothing of what was sent so far (a device said ``NoReplayAllowed``).

        After ``clear_checkpoint`` this changes nothing: a pause there still cannot resume.
        """
        if self.cache is not None:
            self.cache = []
            self.bundle_start = None

    def checkpoint(self) -> None:
        """Start a new rewind point here."""
        self.cache = []
        self.unreplayable = False
        self.bundle_start = None

    def clear_checkpoint(self) -> None:
        """From here until the next checkpoint a pause cannot rewind."""
        self.cache = None

    def enter_side(self, *, breaks_rewind: bool) -> None:
        """A side branch starts; its messages are not cached (a parallel block's break it)."""
        self.side_depth += 1
        if breaks_rewind:
            self.unreplayable = True

    def leave_side(self) -> None:
        """A side branch ended."""
        self.side_depth -= 1

    def bundle_opened(self) -> None:
        """A ``create`` was just cached: the bundle starts at it."""
        self.bundle_start = len(self.cache) - 1 if self.cache else None

    def bundle_closed(self) -> None:
        """Drop a saved (or dropped) event's create/read/save so a rewind doesn't repeat it."""
        start, cache = self.bundle_start, self.cache
        self.bundle_start = None
        if start is None or cache is None:
            return
        cache[start:] = [m for m in cache[start:] if m.command not in ("create", "read", "save")]

    @property
    def replays_bundle(self) -> bool:
        """True when a resume would replay the open event bundle's ``create``."""
        return self.bundle_start is not None

    @property
    def resumable(self) -> bool:
        """True when a pause here can be rewound to the last checkpoint."""
        return self.cache is not None and not self.unreplayable

    def start_replay(self) -> None:
        """Queue the messages since the last checkpoint (and any interrupted one) to run again."""
        self.replay = deque(self.cache or [])
        msg = self.interrupted
        if msg is not None and (not self.replay or self.replay[-1] is not msg):
            self.replay.append(msg)
        self.cache = [] if self.cache is not None else None
        self.interrupted = None
        self.bundle_start = None

    def cancel(self) -> None:
        """The run is ending: replay nothing."""
        self.replay.clear()
        self.interrupted = None

"""Statuses that fail while the plan is not waiting for them, raised into the plan's next step.

bluesky fails a plan at its next message when a Status it started (``set``, ``trigger``...)
fails, even if the plan never waits for it; a failure a ``wait`` already raised (or a move a
timed-out wait already stopped and reported) is not reported again.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ._awaiting import Action, describe_failure, on_loop, status_error
from ._errors import FailedStatus


class UnwaitedFailures:
    """The session's failed statuses not yet reported to the plan."""

    def __init__(self) -> None:
        self.pending: list[tuple[Any, Any, Action]] = []
        # kept alive while the session lasts, so no later status reuses a reported one's id
        self._reported: dict[int, Any] = {}

    def watch(self, status: Any, obj: Any, action: Action, loop: asyncio.AbstractEventLoop) -> None:
        """Note ``status``'s failure when it finishes (at once if it already has)."""
        add_callback = getattr(status, "add_callback", None)
        if add_callback is not None:
            add_callback(on_loop(loop, lambda _status: self._note(status, obj, action)))

    def reported(self, status: Any) -> None:
        """``status``'s failure (or time-out) has reached the plan: never raise it again."""
        self._reported[id(status)] = status
        if self.pending:
            self.pending = [p for p in self.pending if p[0] is not status]

    def take(self) -> FailedStatus:
        """The first pending failure, as the plan sees it; all pending ones count as reported."""
        status, obj, action = self.pending[0]
        for pending in self.pending:
            self._reported[id(pending[0])] = pending[0]
        self.pending = []
        return describe_failure(status, obj, action)

    def _note(self, status: Any, obj: Any, action: Action) -> None:
        if id(status) not in self._reported and status_error(status) is not None:
            self.pending.append((status, obj, action))

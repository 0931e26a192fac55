"""What every composer of one run shares: the run's uid and whether it has stopped."""

from __future__ import annotations

from ._errors import DocumentValidationError


class RunState:
    """The run's uid and its stopped flag; composers ask it before emitting anything."""

    __slots__ = ("stopped", "uid")

    def __init__(self, uid: str) -> None:
        """Track the run whose start document has ``uid``."""
        self.uid = uid
        self.stopped = False

    def refuse_if_stopped(self, kind: str) -> None:
        """Raise if the run has stopped: nothing may follow its stop document."""
        if self.stopped:
            raise DocumentValidationError(
                kind, "the run has already stopped; no document may follow its stop", self.where
            )

    @property
    def where(self) -> str:
        """'of run <uid>', for messages."""
        return f"of run {self.uid}"

"""What every composer of one run shares: its uid, whether it stopped, its dtype warnings."""

from __future__ import annotations

from ._dtype_mismatch import DtypeMismatchLog
from ._errors import DocumentValidationError


class RunState:
    """The run's uid and its stopped flag; composers ask it before emitting anything."""

    __slots__ = ("dtype_mismatches", "stopped", "uid")

    def __init__(self, uid: str) -> None:
        """Track the run whose start document has ``uid``."""
        self.uid = uid
        self.stopped = False
        self.dtype_mismatches = DtypeMismatchLog()

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

"""Control requests waiting to be acted on at the next message boundary, most urgent first."""

from __future__ import annotations

# Most urgent first: a halt beats an abort, which beats a stop, a pause, a suspension.
PRIORITY = ("halt", "abort", "stop", "pause", "suspend")


class Requests:
    """The set of posted control requests, plus a deferred pause and an abort reason."""

    def __init__(self) -> None:
        self.posted: set[str] = set()
        """The requests waiting, to be taken most urgent first."""
        self.deferred_pause = False
        self.reason = ""

    def post(self, request: str) -> None:
        """Ask for ``request`` (one of ``PRIORITY``)."""
        if request not in PRIORITY:
            raise ValueError(f"unknown control request {request!r}")
        self.posted.add(request)

    def take(self) -> str:
        """Remove and return the most urgent request."""
        for request in PRIORITY:
            if request in self.posted:
                self.posted.discard(request)
                return request
        raise LookupError("no control request is waiting")

    def clear(self) -> None:
        """Forget every request."""
        self.posted.clear()
        self.deferred_pause = False

    def __bool__(self) -> bool:
        return bool(self.posted)

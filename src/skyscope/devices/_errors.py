"""The errors a device operation ends with: each names the device, the operation and the reason.

A failed :class:`~skyscope.devices.Status` means "we have given up"; its error says who gave up,
on what, and why, so a user reading a traceback (or a log line) knows which hardware to look at.
"""

from __future__ import annotations

from collections.abc import Mapping


class StatusFailedError(Exception):
    """A device operation gave up: the message names the device, the operation and the reason."""

    def __init__(self, device: str, action: str, reason: str) -> None:
        self.device = device
        self.action = action
        self.reason = reason
        super().__init__(f"{device or '<unnamed device>'}: {action} failed: {reason}")


class StatusTimeoutError(StatusFailedError, TimeoutError):
    """A device operation did not finish within its timeout, so we gave up waiting."""

    def __init__(self, device: str, action: str, timeout: float) -> None:
        self.timeout = timeout
        super().__init__(device, action, f"timed out after {timeout:g} s; we have given up")


class StatusCancelledError(StatusFailedError):
    """A device operation was cancelled (stopped or aborted) before it finished."""


class LimitsError(ValueError):
    """A requested value lies outside the limits the device accepts; nothing was moved."""


class NotConnectedError(Exception):
    """Some signals of a device tree did not connect; ``errors`` maps each one to its reason."""

    def __init__(self, errors: Mapping[str, BaseException]) -> None:
        self.errors = dict(errors)
        lines = [f"  {name}: {_describe(exc)}" for name, exc in sorted(self.errors.items())]
        count = len(self.errors)
        noun = "signal" if count == 1 else "signals"
        super().__init__(f"{count} {noun} did not connect:\n" + "\n".join(lines))


def _describe(exc: BaseException) -> str:
    """Say what an exception was in one line: its type and message."""
    message = str(exc) or "no message"
    return f"{type(exc).__name__}: {message}"

"""What went wrong with a subscriber, kept as text so a failed document is never kept alive.

An exception's traceback holds the frames it passed through, and those frames hold the
document being delivered: keeping the exception would keep every failed document (and its
frames) in memory for as long as the run's result lives. A ``SubscriberError`` keeps names
and text; of a critical subscriber, also the exception itself (its frames cleared of their
locals), since the run fails with it and the caller catches it by its own type.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SubscriberError:
    """A subscriber that raised on a document, or that was detached because it hung."""

    subscriber: str
    """The subscriber's name (its qualified name, or its repr)."""
    document: str
    """The name of the document it failed on ("event", "stop"…); "" when detached."""
    uid: str | None
    """That document's uid, when it has one."""
    error_type: str
    """The exception's type name, or "Detached"."""
    message: str
    """The exception's message, or what happened to a detached subscriber."""
    traceback: str = ""
    """The formatted traceback, as text."""
    critical: bool = False
    """Whether the subscriber was marked critical (its failure fails the run)."""
    exception: BaseException | None = field(default=None, repr=False, compare=False)
    """A critical subscriber's own exception, which the failed run raises (None otherwise)."""

    def __str__(self) -> str:
        if self.error_type == DETACHED:
            return f"subscriber {self.subscriber} {self.message}"
        where = f"{self.document} document" + (f" {self.uid}" if self.uid else "")
        return f"subscriber {self.subscriber} raised on {where}: {self.error_type}: {self.message}"


DETACHED = "Detached"
"""The ``error_type`` of a subscriber the engine stopped waiting for."""


def raised(
    subscriber: str, name: str, doc: Any, error: BaseException, critical: bool
) -> SubscriberError:
    """Record ``error`` as text and clear its traceback's frames of the documents they hold."""
    text = "".join(traceback.format_exception(error))
    _clear_frames(error)
    uid = doc.get("uid") if isinstance(doc, dict) else None
    return SubscriberError(
        subscriber,
        name,
        uid if isinstance(uid, str) else None,
        type(error).__name__,
        str(error),
        text,
        critical,
        error if critical else None,
    )


def detached(subscriber: str, waited: float, dropped: int, critical: bool) -> SubscriberError:
    """Record that the engine gave up on ``subscriber`` after ``waited`` seconds."""
    message = (
        f"did not finish within {waited:.1f} s; detached; {dropped} documents it had not "
        "received were dropped"
    )
    return SubscriberError(subscriber, "", None, DETACHED, message, "", critical)


def _clear_frames(error: BaseException) -> None:
    """Drop the local variables of the frames ``error`` (and what it chains) passed through."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)
        current.__traceback__ = None
        current = current.__cause__ or current.__context__

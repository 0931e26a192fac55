"""The exception a run fails with when a critical subscriber raised (bluesky's rule).

bluesky throws a callback's exception into the plan and raises it from the call, so users
catch their own writer's error by its type. skyscope does the same with the subscriber's own
exception, noting which subscriber and document it came from; a subscriber that was detached
(it hung) has no exception of its own and gives ``SubscriberFailed``.
"""

from __future__ import annotations

from ._errors import SubscriberFailed
from ._subscriber_error import SubscriberError


def subscriber_failure(failure: SubscriberError, reason: str) -> BaseException:
    """The subscriber's own exception, noted with ``reason``; else ``SubscriberFailed``."""
    error = failure.exception
    if error is None or not isinstance(error, Exception):
        return SubscriberFailed(reason)
    if reason not in getattr(error, "__notes__", ()):
        error.add_note(reason)
    return error

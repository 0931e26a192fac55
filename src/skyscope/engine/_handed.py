"""What ``wait_for`` hands the plan: its finished tasks, as bluesky's RunEngine hands them.

A plan may look at a failed task (``exception()``, ``result()``) and carry on, as bluesky lets
it; a failure it did not look at is thrown into it at its next step (before that message
runs) or fails the run if it ended, so an awaitable that fails never passes unnoticed.
"""

from __future__ import annotations

import asyncio
from typing import Any


class HandedFutures(list[asyncio.Future[Any]]):
    """``wait_for``'s response: the finished futures, in the order of the message's callables."""

    def unseen_failure(self) -> BaseException | None:
        """The first failure the plan did not look at; afterwards all count as looked at."""
        unseen: BaseException | None = None
        for future in self:
            # asyncio's own "exception was never retrieved" flag; without it, assume unseen
            looked = not getattr(future, "_log_traceback", True)
            error = asyncio.CancelledError() if future.cancelled() else future.exception()
            if error is not None and not looked and unseen is None:
                unseen = error
        return unseen


def raise_unseen(response: Any) -> None:
    """Raise the failure a ``wait_for`` response holds that its taker did not look at."""
    if type(response) is HandedFutures and (error := response.unseen_failure()) is not None:
        raise error

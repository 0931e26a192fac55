"""What bluesky's suspender objects expect of the engine they are installed on.

bluesky's suspenders (``bluesky.suspenders.SuspendFloor``…) are installed with
``install(RE)`` and, when tripped, call ``RE.request_suspend`` on ``RE._loop`` while
``RE.state.is_running``. The engine hands them this small host instead of itself, so they
hold skyscope's plans through ``engine.request_suspend`` unchanged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any


class _StateView(str):
    """A state's name with the predicates bluesky's suspenders ask of ``RE.state``."""

    __slots__ = ()

    @property
    def is_running(self) -> bool:
        """True while a plan runs (not paused, suspended or ending)."""
        return self == "running"

    @property
    def is_idle(self) -> bool:
        """True when no plan runs."""
        return self == "idle"


class SuspenderHost:
    """The engine as a bluesky suspender sees it: ``_loop``, ``state``, ``request_suspend``."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        state: Callable[[], str],
        request_suspend: Callable[..., None],
    ) -> None:
        self._loop = loop
        self._state = state
        self.request_suspend = request_suspend

    @property
    def state(self) -> _StateView:
        """The engine's state, by name."""
        return _StateView(self._state())


def is_bluesky_suspender(obj: Any) -> bool:
    """Tell a suspender written for bluesky's RunEngine (``install(RE)``, ``get_futures``)."""
    return callable(getattr(obj, "install", None)) and callable(getattr(obj, "get_futures", None))

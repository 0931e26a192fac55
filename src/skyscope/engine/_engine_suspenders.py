"""Suspenders and control requests: what holds a running plan and how a request reaches it.

A mixin of :class:`~skyscope.engine.Engine`: skyscope's own suspenders, bluesky's suspender
objects (hosted through ``request_suspend``), and the post-and-wake path every request takes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, cast

from ._control import Control, Request
from ._session import Session
from ._state import EngineState
from ._suspender_host import SuspenderHost, is_bluesky_suspender
from ._suspenders import RequestedSuspension, Suspender


class Suspending:
    """The engine's suspenders and its request path (mixed into ``Engine``)."""

    _suspenders: list[Suspender]
    _bluesky_suspenders: list[Any]
    _control: Control
    _session: Session | None

    def install_suspender(self, suspender: Suspender) -> None:
        """Hold every plan while ``suspender``'s condition holds, until removed.

        bluesky's suspender objects are accepted too: they hold the plan through
        ``request_suspend`` (installing one needs the engine's loop to be running).
        """
        if is_bluesky_suspender(suspender):
            if suspender not in self._bluesky_suspenders:
                self._bluesky_suspenders.append(suspender)
                host = SuspenderHost(
                    asyncio.get_running_loop(),
                    lambda: self._control.state.value,
                    self.request_suspend,
                )
                cast(Any, suspender).install(host)
            return
        if suspender not in self._suspenders:
            self._suspenders.append(suspender)
            suspender.install(self._on_suspender_trip)

    def remove_suspender(self, suspender: Suspender) -> None:
        """Stop watching with ``suspender``."""
        if suspender in self._bluesky_suspenders:
            self._bluesky_suspenders.remove(suspender)
            suspender.remove()
        if suspender in self._suspenders:
            self._suspenders.remove(suspender)
            suspender.remove()

    def request_suspend(
        self,
        until: Any,
        *,
        pre_plan: Any = None,
        post_plan: Any = None,
        justification: str | None = None,
    ) -> None:
        """Hold the running plan until ``until()`` (an awaitable, or what makes one) completes.

        bluesky's call: the devices rest, ``pre_plan`` runs, then on completion ``post_plan``
        runs and the plan rewinds to its last checkpoint. Call it on the engine's loop.
        """
        hold = RequestedSuspension(
            until,
            pre_plan=_plan_factory(pre_plan),
            post_plan=_plan_factory(post_plan),
            justification=justification or "",
            on_cleared=self.remove_suspender,
        )
        self._suspenders.append(hold)
        if self._control.state is EngineState.RUNNING:
            self._post(Request.SUSPEND)

    def _hold_if_pretripped(self) -> None:
        """Hold a plan about to start if a suspender is already tripped.

        bluesky's suspenders ask for a hold only when they trip while a plan runs: one
        already tripped is asked here for what to wait on (``get_futures``), as bluesky does.
        """
        for suspender in self._bluesky_suspenders:
            waits, justification = suspender.get_futures()
            for wait in waits:
                self.request_suspend(wait, justification=justification)
        self._hold_if_tripped()

    def _hold_if_tripped(self) -> bool:
        """Hold the plan if a suspender (or a requested hold) is tripped; tell if so.

        On resume, a hold a pause interrupted is still among the suspenders until it clears.
        """
        if any(x.tripped for x in self._suspenders):
            self._post(Request.SUSPEND)
            return True
        return False

    @property
    def suspenders(self) -> tuple[Suspender, ...]:
        """The installed suspenders."""
        return (*self._suspenders, *self._bluesky_suspenders)

    def _post(self, request: Request, reason: str | None = None) -> None:
        self._control.post(request, reason)
        self._interrupt()

    def _interrupt(self) -> None:
        """Wake a waiting command so the loop acts on the posted request."""
        session = self._session
        if session is not None and not session.interrupt.done():
            session.interrupt.set_result(None)

    def _on_suspender_trip(self, _suspender: Suspender) -> None:
        session = self._session
        if session is None or self._control.state is not EngineState.RUNNING:
            return
        if session.loop.is_closed():
            return
        session.loop.call_soon_threadsafe(self._post_suspend)

    def _post_suspend(self) -> None:
        if self._control.state is EngineState.RUNNING:
            self._post(Request.SUSPEND)


def _plan_factory(plan: Any) -> Callable[[], Any] | None:
    """A factory of side plans: bluesky gives them as plans, message lists or callables."""
    if plan is None:
        return None

    def make() -> Any:
        made = plan() if callable(plan) and not hasattr(plan, "send") else plan
        return _replay(made) if isinstance(made, list | tuple) else made

    return make


def _replay(messages: list[Any] | tuple[Any, ...]) -> Any:
    """A plan of the given messages."""
    return (yield from messages)

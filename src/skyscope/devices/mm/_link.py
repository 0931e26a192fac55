"""``CoreLink``: what every skyscope device of one Micro-Manager core shares.

The core itself, the worker thread its calls go through (``call``) and the router of its events
(``listen``). One link per core: devices built on the same link serialise their calls on one
thread, which is what a ``CMMCorePlus`` needs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from ._events import AnyListener, CoreEvents, Listener, Topic, TopicFilter
from ._worker import DEFAULT_MAX_PENDING, CoreWorker

R = TypeVar("R")
P = ParamSpec("P")

POLL_S = 0.005
"""How often a wait for a busy device asks the core again."""


class CoreLink:
    """One core, its worker thread and its events."""

    def __init__(
        self, core: Any, *, max_pending: int = DEFAULT_MAX_PENDING, worker: CoreWorker | None = None
    ) -> None:
        """Serve ``core`` (a ``CMMCorePlus`` or ``UniMMCore``, devices loaded or not)."""
        self.core = core
        self.worker = worker if worker is not None else CoreWorker(core, max_pending=max_pending)
        self.worker.core = core
        self.events = CoreEvents(core)

    @classmethod
    async def new(cls, make_core: Callable[[], Any]) -> CoreLink:
        """Make the core on the worker thread (building one blocks), and serve it."""
        worker = CoreWorker(None)
        try:
            core = await worker.call(make_core)
        except BaseException:
            worker.close()
            raise
        return cls(core, worker=worker)

    async def call(self, function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Run ``function(*args)`` on the worker thread (the only place the core is used)."""
        return await self.worker.call(function, *args, **kwargs)

    def listen(self, topic: Topic, listener: Listener) -> Callable[[], None]:
        """Hear events of ``topic`` on this loop (see ``CoreEvents``); return an undo."""
        return self.events.listen(topic, listener)

    def listen_all(
        self, listener: AnyListener, wants: TopicFilter = lambda topic: True
    ) -> Callable[[], None]:
        """Hear every event ``wants`` lets through, on this loop; return an undo."""
        return self.events.listen_all(listener, wants)

    async def wait_idle(self, labels: tuple[str, ...], poll_s: float = POLL_S) -> None:
        """Return once none of the devices ``labels`` says it is busy (polled, never blocking).

        The worker is free between polls, so a ``stop()`` reaches the core while a move runs.
        """
        while await self.call(_any_busy, self.core, labels):  # noqa: ASYNC110 - the core polls
            await asyncio.sleep(poll_s)

    def close(self) -> None:
        """Stop hearing events and let the queued calls finish; the core itself is left alone."""
        self.events.close()
        self.worker.close()


def _any_busy(core: Any, labels: tuple[str, ...]) -> bool:
    return any(core.deviceBusy(label) for label in labels)


def loaded_labels(core: Any) -> tuple[str, ...]:
    """Return the labels of the devices loaded in ``core`` (besides the ``Core`` itself)."""
    return tuple(str(label) for label in core.getLoadedDevices() if label != "Core")


def check_label(core: Any, label: str, kind: str = "device") -> None:
    """Raise ``KeyError`` naming ``label`` and the loaded devices if no such device is loaded.

    Called (on the worker) before any call naming the label, so the error names the devices
    there are instead of being the core's bare "No device with label".
    """
    labels = loaded_labels(core)
    if label not in labels:
        raise KeyError(
            f"no Micro-Manager {kind} labelled {label!r} is loaded; loaded: {sorted(labels)}"
        )

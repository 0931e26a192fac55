"""``WatchableStatus``: a Status that reports progress (a motor's position on its way to target).

The operation is an async iterator of :class:`WatcherUpdate`; the status runs it, remembers the
latest update and hands each one to its watchers as keyword arguments, the shape bluesky's
progress bars call (``name, current, initial, target, unit, precision, fraction, time_elapsed,
time_remaining``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any, Concatenate, Generic, NamedTuple, ParamSpec, TypeVar

from ._status import N, Status, describe_action

C = TypeVar("C")
P = ParamSpec("P")

_log = logging.getLogger(__name__)

Watcher = Callable[..., Any]
"""A progress callback: called with keyword arguments ``name, current, initial, target…``."""


class WatcherUpdate(NamedTuple, Generic[C]):
    """One progress report: where the operation is (``current``) between ``initial`` and target.

    A named tuple, not a dataclass: a motor makes one per move, and building a frozen dataclass
    of nine fields costs several times more, on every point of a scan.
    """

    current: C
    initial: C
    target: C
    name: str | None = None
    unit: str | None = None
    precision: int | None = None
    fraction: float | None = None
    """How much of the way from initial to target is done: 0 at the start, 1 at the end."""
    time_elapsed: float | None = None
    time_remaining: float | None = None

    def as_kwargs(self) -> dict[str, Any]:
        """Return the fields as the keyword arguments a bluesky watcher is called with."""
        return self._asdict()


class WatchableStatus(Status[None], Generic[C]):
    """A Status whose operation reports progress; ``watch(callback)`` follows it."""

    __slots__ = ("_last_update", "_pending_update", "_watchers")

    _last_update: WatcherUpdate[C] | None
    _pending_update: Callable[[], WatcherUpdate[C]] | None
    _watchers: list[Watcher]

    def __init__(
        self,
        updates: AsyncIterator[WatcherUpdate[C]],
        *,
        name: str = "",
        action: str = "operation",
        timeout: float | None = None,
    ) -> None:
        """Run ``updates`` to exhaustion on the loop, publishing each update to the watchers."""
        super().__init__(self._follow(updates), name=name, action=action, timeout=timeout)

    def _init_fields(self, name: str, action: str | Callable[[], str]) -> None:
        super()._init_fields(name, action)
        self._last_update = None
        self._pending_update = None
        self._watchers = []

    @classmethod
    def finished_at(
        cls,
        update: WatcherUpdate[C] | Callable[[], WatcherUpdate[C]],
        *,
        name: str = "",
        action: str | Callable[[], str] = "operation",
    ) -> WatchableStatus[C]:
        """Return a status already done, whose one (final) update is ``update``.

        ``update`` may be a function that makes it, called only if a watcher or ``last_update``
        asks: an instant move is rarely watched, and an update costs about a microsecond.
        """
        status: WatchableStatus[C] = cls.__new__(cls)
        status._init_fields(name, action)
        if isinstance(update, WatcherUpdate):
            status._publish(update)
        else:
            status._pending_update = update
        return status

    @classmethod
    def wrap_updates(
        cls, method: Callable[Concatenate[N, P], AsyncIterator[WatcherUpdate[C]]]
    ) -> Callable[Concatenate[N, P], WatchableStatus[C]]:
        """Turn an async-generator method yielding updates into one returning a WatchableStatus."""

        def start(device: N, /, *args: P.args, **kwargs: P.kwargs) -> WatchableStatus[C]:
            action = describe_action(method.__name__, *args)
            updates = method(device, *args, **kwargs)
            return WatchableStatus(updates, name=device.name, action=action)

        start.__doc__ = method.__doc__
        start.__name__ = method.__name__
        return start

    def watch(self, watcher: Watcher) -> None:
        """Call ``watcher(**update)`` on every progress update (at once with the latest one)."""
        latest = self.last_update  # made first, if deferred: published to earlier watchers
        self._watchers.append(watcher)
        if latest is not None:
            self._publish_to(watcher, latest)

    @property
    def last_update(self) -> WatcherUpdate[C] | None:
        """The most recent progress update, or ``None`` before the first one."""
        make = self._pending_update
        if make is not None:
            self._pending_update = None
            self._publish(make())
        return self._last_update

    def _follow(self, updates: AsyncIterator[WatcherUpdate[C]]) -> Coroutine[Any, Any, None]:
        return _consume(self, updates)

    def _publish(self, update: WatcherUpdate[C]) -> None:
        if update.name is None:
            update = _with_name(update, self.name)
        self._last_update = update
        for watcher in self._watchers:
            self._publish_to(watcher, update)

    def _publish_to(self, watcher: Watcher, update: WatcherUpdate[C]) -> None:
        try:
            watcher(**update.as_kwargs())
        except Exception:
            _log.exception("watcher %r raised on %r", watcher, self)


async def _consume(status: WatchableStatus[C], updates: AsyncIterator[WatcherUpdate[C]]) -> None:
    async for update in updates:
        status._publish(update)


def _with_name(update: WatcherUpdate[C], name: str) -> WatcherUpdate[C]:
    return update._replace(name=name)

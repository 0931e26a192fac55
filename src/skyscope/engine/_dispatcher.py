"""Deliver every document to every subscriber, in order, through a bounded buffer each.

Each subscriber has its own buffer and its own consumer task, so a slow one holds back only
the engine (by backpressure, once its buffer is full) and never the others beyond that bound.
A subscriber that raises is logged and recorded; one marked critical fails the run instead.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)

Subscriber = Callable[[str, Any], None] | Callable[[str, Any], Awaitable[None]]
"""A document consumer: a sync or async callable taking ``(name, doc)``."""


@dataclass(frozen=True)
class SubscriberError:
    """A subscriber that raised: which one, on which document, and the error."""

    subscriber: str
    document: str
    error: BaseException


@dataclass(eq=False)
class _Subscription:
    callback: Subscriber
    capacity: int
    critical: bool
    buffer: deque[tuple[str, Any]] = field(default_factory=deque)
    not_empty: asyncio.Event = field(default_factory=asyncio.Event)
    not_full: asyncio.Event = field(default_factory=asyncio.Event)
    is_async: bool = False

    def __post_init__(self) -> None:
        self.not_full.set()
        self.is_async = _is_async_callable(self.callback)

    @property
    def name(self) -> str:
        return getattr(self.callback, "__qualname__", None) or repr(self.callback)

    def push(self, name: str, doc: Any) -> None:
        self.buffer.append((name, doc))
        self.not_empty.set()
        if len(self.buffer) >= self.capacity:
            self.not_full.clear()


class Dispatcher:
    """The engine's document fan-out: ``subscribe``, ``emit``, and consumers per run session."""

    def __init__(self, default_capacity: int = 1000) -> None:
        self._subs: dict[int, _Subscription] = {}
        self._next_token = 0
        self._default_capacity = default_capacity
        self._consumers: dict[int, asyncio.Task[None]] = {}
        self._retiring: set[asyncio.Task[None]] = set()
        self._active = False
        self.errors: list[SubscriberError] = []
        self.critical_error: SubscriberError | None = None

    def subscribe(
        self, callback: Subscriber, *, critical: bool = False, capacity: int | None = None
    ) -> int:
        """Add a subscriber; return the token that ``unsubscribe`` takes."""
        if not callable(callback):
            raise TypeError(f"a subscriber must be callable as (name, doc), got {callback!r}")
        size = capacity or self._default_capacity
        if size < 1:
            raise ValueError(f"a subscriber's buffer must hold at least 1 document, got {size}")
        self._next_token += 1
        self._subs[self._next_token] = _Subscription(callback, size, critical)
        if self._active:
            self._start(self._next_token)
        return self._next_token

    def unsubscribe(self, token: int) -> None:
        """Remove a subscriber; documents already buffered for it are still delivered."""
        sub = self._subs.pop(token, None)
        if sub is None:
            raise KeyError(f"no subscriber with token {token}")
        task = self._consumers.pop(token, None)
        if task is not None:
            self._retiring.add(task)
            sub.push("__end__", None)

    def __len__(self) -> int:
        return len(self._subs)

    def start(self) -> None:
        """Start one consumer task per subscriber on the running loop."""
        self._active = True
        for token in self._subs:
            if token not in self._consumers:
                self._start(token)

    async def stop(self) -> None:
        """Deliver everything buffered, then end the consumer tasks."""
        self._active = False
        for token in self._consumers:
            self._subs[token].push("__end__", None)
        tasks = [*self._consumers.values(), *self._retiring]
        self._consumers.clear()
        self._retiring.clear()
        await asyncio.gather(*tasks, return_exceptions=True)

    def push(self, name: str, doc: Any) -> None:
        """Buffer a document for every subscriber without waiting (for monitor callbacks)."""
        for sub in self._subs.values():
            sub.push(name, doc)

    async def emit(self, name: str, doc: Any) -> None:
        """Buffer a document for every subscriber, then wait while any buffer is over its bound."""
        self.push(name, doc)
        for sub in self._subs.values():
            if not sub.not_full.is_set():
                await sub.not_full.wait()

    def _start(self, token: int) -> None:
        sub = self._subs[token]
        self._consumers[token] = asyncio.get_running_loop().create_task(
            self._consume(sub), name=f"skyscope-subscriber-{sub.name}"
        )

    async def _consume(self, sub: _Subscription) -> None:
        while True:
            await sub.not_empty.wait()
            for name, doc in _drain(sub):
                if name == "__end__":
                    return
                await self._deliver(sub, name, doc)
            sub.not_empty.clear()

    async def _deliver(self, sub: _Subscription, name: str, doc: Any) -> None:
        try:
            if sub.is_async:
                await sub.callback(name, doc)  # type: ignore[misc]
            else:
                sub.callback(name, doc)
        except Exception as error:  # a subscriber's bug must not kill the run
            record = SubscriberError(sub.name, name, error)
            self.errors.append(record)
            logger.exception("subscriber %s raised on a %r document", sub.name, name)
            if sub.critical and self.critical_error is None:
                self.critical_error = record


def _drain(sub: _Subscription) -> Iterator[tuple[str, Any]]:
    """Pop buffered documents one by one, reopening the producer's gate as room appears."""
    while sub.buffer:
        item = sub.buffer.popleft()
        if len(sub.buffer) < sub.capacity:
            sub.not_full.set()
        yield item


def _is_async_callable(callback: Any) -> bool:
    return inspect.iscoroutinefunction(callback) or inspect.iscoroutinefunction(
        getattr(callback, "__call__", None)  # noqa: B004 - objects with an async __call__
    )

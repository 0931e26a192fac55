"""What the engine publishes and what it understands: its subscribers and its commands.

Two mixins of :class:`~skyscope.engine.Engine`, kept apart from the plan-running core:
subscribing to the documents (callbacks, or an async iterator) and the command registry
(``register_command``, declared as the built-in commands are).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from ._context import Handler
from ._dispatcher import Dispatcher, Subscriber
from ._errors import InvalidCommand
from ._registry import Command, CustomHandler, with_context


class Publishing:
    """The engine's subscribers (mixed into ``Engine``)."""

    dispatcher: Dispatcher
    _streams: set[asyncio.Queue[tuple[str, Any] | None]]

    def subscribe(
        self,
        callback: Subscriber,
        *,
        critical: bool = False,
        buffer: int | None = None,
        buffer_bytes: int | None = None,
        thread: bool | None = None,
    ) -> int:
        """Send every document to ``callback(name, doc)`` (sync or async); return a token.

        ``buffer`` (documents) and ``buffer_bytes`` (the arrays they carry, estimated) bound
        what waits for this subscriber; when either is reached the engine waits
        (backpressure). ``thread=True`` calls a synchronous subscriber on its own thread, so
        a slow one never stalls the event loop; ``None`` does so when the callback declares
        ``prefers_thread = True`` (the file exporters and the catalog do). A ``critical``
        subscriber that raises fails the run. Abort, halt, stop or cancelling the run detach a
        subscriber that does not keep up within a second.
        """
        return self.dispatcher.subscribe(
            callback, critical=critical, capacity=buffer, capacity_bytes=buffer_bytes, thread=thread
        )

    def unsubscribe(self, token: int) -> None:
        """Stop sending documents to the subscriber ``token`` names."""
        self.dispatcher.unsubscribe(token)

    async def documents(
        self, *, buffer: int = 1000, forever: bool = False
    ) -> AsyncIterator[tuple[str, Any]]:
        """Yield ``(name, doc)`` as the engine emits them, until the plan under way ends."""
        queue: asyncio.Queue[tuple[str, Any] | None] = asyncio.Queue(buffer)

        async def forward(name: str, doc: Any) -> None:
            await queue.put((name, doc))

        token = self.subscribe(forward, buffer=buffer)
        self._streams.add(queue)
        try:
            while True:
                item = await queue.get()
                if item is not None:
                    yield item
                elif not forever:
                    return
        finally:
            self._streams.discard(queue)
            self.unsubscribe(token)


class Commanding:
    """The engine's command registry (mixed into ``Engine``)."""

    _commands: dict[str, Command]

    def register_command(
        self,
        name: str,
        handler: Command | Handler | CustomHandler,
        *,
        replay: bool = True,
        dry_run: Handler | None = None,
    ) -> None:
        """Teach the engine a command, declared as the built-in ones are.

        ``handler`` is a ``Command``, a ``handler(ctx, msg)`` that gets the same context as
        the built-in commands, or the simple ``async def handler(msg)``. ``replay``: whether a
        rewind executes it again; ``dry_run(ctx, msg)``: its response in a dry run (without
        one a dry run skips it and says so).
        """
        if isinstance(handler, Command):
            self._commands[name] = handler
            return
        declared = Command(with_context(name, handler), replay)
        if dry_run is not None:
            declared = Command(declared.handler, replay, dry_run)
        self._commands[name] = declared

    def unregister_command(self, name: str) -> None:
        """Forget a command."""
        if self._commands.pop(name, None) is None:
            raise InvalidCommand(name)

    @property
    def commands(self) -> frozenset[str]:
        """The command names the engine understands."""
        return frozenset(self._commands)

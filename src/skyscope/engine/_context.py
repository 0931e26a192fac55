"""What a command handler is given: the engine's side of one plan execution, and the message."""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any, Protocol

from ._dispatcher import Dispatcher
from ._metadata import MetadataNormalizer, MetadataValidator, ScanIdSource
from ._msg import Msg
from ._progress import ProgressCallback
from ._session import Session
from ._suspenders import Suspender


class Context(Protocol):
    """What command handlers (built-in and registered alike) need from the engine."""

    dispatcher: Dispatcher
    md: MutableMapping[str, Any]
    md_validator: MetadataValidator | None
    md_normalizer: MetadataNormalizer | None
    scan_id_source: ScanIdSource
    waiting_hook: Callable[[Any], Any] | None
    progress: ProgressCallback | None

    @property
    def session(self) -> Session:
        """The plan execution under way (its ``simulation`` is set during a dry run)."""

    def watch_progress(self, status: Any, obj: Any) -> None:
        """Feed ``status``'s progress updates to the engine's progress callback."""

    def request_pause(self, defer: bool = False) -> None:
        """Ask for a pause (deferred: at the next checkpoint)."""

    def checkpoint_reached(self) -> None:
        """A checkpoint passed: a pause deferred until now is posted."""

    def install_suspender(self, suspender: Suspender) -> None:
        """Start watching with ``suspender``."""

    def remove_suspender(self, suspender: Suspender) -> None:
        """Stop watching with ``suspender``."""


Handler = Callable[[Context, Msg], Any]
"""Takes the context and the message; returns the response, or a coroutine that gives it.

Handlers that never wait are plain functions, so the engine's hot path makes no coroutine
for them; the rest are ``async def``.
"""

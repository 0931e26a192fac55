"""The queue and history on disk, beside the catalog, written off the event loop.

``save(snapshot)`` marks the state changed; one writer task takes ``snapshot()`` (on the loop,
a copy) when it is ready to write, and encodes (with orjson: the GIL is held briefly) and
writes it on a worker thread. Changes made while a write is under way are taken together by
the next one (the file only needs the newest state), so a burst of edits costs one write.
The file is replaced atomically (written beside, flushed to disk, renamed), so a process killed
mid-write leaves the previous state whole.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

FORMAT = 1
logger = logging.getLogger(__name__)


class QueueStore:
    """A JSON file holding the queue, the running item and the history."""

    def __init__(self, path: Path) -> None:
        """Keep the state in the file at ``path`` (its folder is created when first written)."""
        self.path = path
        self._pending: Callable[[], dict[str, Any]] | None = None
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None
        self.error: OSError | None = None
        """The last write that failed (the next successful one clears it)."""

    def load(self) -> dict[str, Any]:
        """The saved state (empty when there is none yet); blocking, for startup."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        state = json.loads(text)
        if not isinstance(state, dict) or state.get("format") != FORMAT:
            raise ValueError(f"{self.path} is not a skyscope queue file (format {FORMAT})")
        return state

    def save(self, snapshot: Callable[[], dict[str, Any]]) -> None:
        """Write the state ``snapshot()`` returns, soon (called once, when the write starts)."""
        self._pending = snapshot
        self._idle.clear()
        self._wake.set()
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._writer(), name="skyscope-queue-store"
            )

    async def flush(self) -> None:
        """Wait until every saved state is on disk."""
        await self._idle.wait()
        if self.error is not None:
            raise self.error

    async def close(self) -> None:
        """Write what is pending, then stop the writer task."""
        await self.flush()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _writer(self) -> None:
        while True:
            await self._wake.wait()
            await asyncio.sleep(0)  # what the change set going runs first (a plan starting)
            self._wake.clear()
            snapshot, self._pending = self._pending, None
            if snapshot is not None:
                state = {"format": FORMAT, **snapshot()}
                try:
                    await asyncio.to_thread(_write_atomically, self.path, state)
                    self.error = None
                except OSError as error:
                    logger.error("cannot save the queue to %s: %s", self.path, error)
                    self.error = error
            if self._pending is None:
                self._idle.set()


def _write_atomically(path: Path, state: dict[str, Any]) -> None:
    text = orjson.dumps(state, default=repr, option=orjson.OPT_NON_STR_KEYS)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())
    os.replace(partial, path)

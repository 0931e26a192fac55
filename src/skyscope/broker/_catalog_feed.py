"""``CatalogFeed``: a catalog fed by an engine through one worker thread that lives on.

Subscribed as it is, a catalog (``prefers_thread``) gets a new thread from the engine at every
run, and starting a thread holds the event loop until the new thread runs: about a millisecond
on a loaded machine, the longest step between a queue server's item and its start document.
The feed is an async subscriber instead: each document is handed, in order, to one long-lived
thread that calls the catalog, and awaited there, so the engine's bounded buffer still holds
documents back and the catalog's errors (a refused document, a run not committed by its stop)
still reach the run's result.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ._catalog import Catalog


class CatalogFeed:
    """``engine.subscribe(CatalogFeed(catalog))``: the catalog's calls on one kept thread."""

    def __init__(self, catalog: Catalog) -> None:
        """Feed ``catalog`` (the thread starts with the first document)."""
        self.catalog = catalog
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="skyscope-catalog-feed")

    async def __call__(self, name: str, doc: Mapping[str, Any]) -> None:
        """Hand ``(name, doc)`` to the catalog on the feed's thread and wait for it."""
        await asyncio.get_running_loop().run_in_executor(self._worker, self.catalog, name, doc)

    def close(self) -> None:
        """Wait for the documents handed over, then end the thread (blocking)."""
        self._worker.shutdown(wait=True)

    def __repr__(self) -> str:
        """Which catalog it feeds."""
        return f"CatalogFeed({self.catalog!r})"

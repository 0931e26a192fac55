"""Suite-wide fixtures: every test must leave the event loop as it found it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

# How long a test's tasks may take to finish after it returns, before they count as leaked.
_GRACE_S = 0.5


@pytest.fixture(autouse=True)
async def _no_leaked_tasks() -> AsyncIterator[None]:
    """Fail a test that leaves asyncio tasks running on the shared loop."""
    before = asyncio.all_tasks()
    yield
    current = asyncio.current_task()
    leaked = {t for t in asyncio.all_tasks() - before if t is not current and not t.done()}
    if leaked:
        await asyncio.wait(leaked, timeout=_GRACE_S)
        leaked = {t for t in leaked if not t.done()}
    if leaked:
        for task in leaked:
            task.cancel()
        await asyncio.gather(*leaked, return_exceptions=True)
        names = ", ".join(sorted(repr(t.get_coro()) for t in leaked))
        pytest.fail(f"test left {len(leaked)} asyncio task(s) running: {names}")


@pytest.fixture(autouse=True)
def _isolated_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep every test's defaults (catalog, metadata, run files) out of the user's data dir."""
    monkeypatch.setenv("SKYSCOPE_DATA_DIR", str(tmp_path_factory.mktemp("skyscope-data")))


pytest_plugins = ["pytester"]

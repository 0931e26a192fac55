"""Suite-wide fixtures: every test must leave the event loop as it found it."""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import platformdirs
import pytest

# The user's own data directory, and what was in it before the suite ran: the suite must never
# write there (not even through a child process or a fixture made before any test).
_REAL_DATA_DIR = Path(platformdirs.user_data_dir("skyscope"))


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """(size, mtime) of every file below ``folder``."""
    if not folder.is_dir():
        return {}
    return {
        str(path): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in folder.rglob("*")
        if path.is_file()
    }


_REAL_BEFORE = _snapshot(_REAL_DATA_DIR)
_SESSION_DATA_DIR = tempfile.mkdtemp(prefix="skyscope-test-data-")
os.environ["SKYSCOPE_DATA_DIR"] = _SESSION_DATA_DIR  # inherited by every child process too
atexit.register(shutil.rmtree, _SESSION_DATA_DIR, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def _real_data_dir_untouched() -> Iterator[None]:
    """Fail the session if anything wrote to the user's real data directory."""
    yield
    changed = sorted(set(_snapshot(_REAL_DATA_DIR).items()) ^ set(_REAL_BEFORE.items()), key=str)
    if changed:
        pytest.fail(f"the test suite changed the real data directory {_REAL_DATA_DIR}: {changed}")


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


@pytest.fixture(scope="module")
def run_engine() -> Iterator[Any]:
    """bluesky's own RunEngine (its loop on a thread), closed cleanly after the module.

    Channel Access channels opened on its loop are purged there before the loop closes, and
    the module fails if it left tasks running on that loop.
    """
    from bluesky.run_engine import RunEngine, call_in_bluesky_event_loop

    engine = RunEngine(call_returns_result=True)
    yield engine
    if "skyscope.devices.epics" in sys.modules:
        call_in_bluesky_event_loop(_purge_channels(), timeout=5)
    leftover = call_in_bluesky_event_loop(_tasks_running(), timeout=5)
    loop = engine.loop
    loop.call_soon_threadsafe(loop.stop)
    engine._th.join(timeout=5)
    loop.close()
    assert leftover == [], f"tasks left on the RunEngine's loop: {leftover}"


async def _purge_channels() -> None:
    from skyscope.devices.epics import purge_channels

    purge_channels()


async def _tasks_running() -> list[str]:
    current = asyncio.current_task()
    return [repr(t) for t in asyncio.all_tasks() if t is not current and not t.done()]


@pytest.fixture
def read_only_dir() -> Iterator[Path]:
    """A directory no one may write to (root too, in a child run through ``unprivileged``)."""
    base = Path(tempfile.mkdtemp(prefix="skyscope-ro-"))
    base.chmod(0o755)
    target = base / "locked"
    target.mkdir(mode=0o555)
    target.chmod(0o555)
    yield target
    target.chmod(0o755)
    shutil.rmtree(base)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run bluesky's own test suite last: its tests leave timer and signal threads behind
    (bluesky's RunEngine tests do so under bluesky too), which must not fail skyscope's tests."""
    items.sort(key=lambda item: "bluesky_suite" in item.nodeid)

"""Run bluesky's own plan and RunEngine tests against skyscope's engine.

Each ``test_bluesky_<name>.py`` here re-exports ``bluesky.tests.test_<name>``; this conftest
gives them bluesky's fixtures, but an ``RE`` that is skyscope's engine behind a RunEngine-shaped
adapter (``run_engine_adapter.py``). Which tests count, and which are expected to fail, is
decided from committed tables (``expectations.py``):

- ``baseline.txt``: the tests bluesky's own RunEngine passes in this very harness (measured
  with ``SKYSCOPE_BLUESKY_BASELINE=1``, which swaps the adapter for bluesky's RunEngine);
- ``INTERNALS``: tests that poke RunEngine internals, excluded with their reason;
- ``XFAIL``: known differences, marked ``xfail(strict=True)`` so a fix flips them;
- ``FLAKY``: tests that pass and fail from run to run here, ``xfail(strict=False)``.
Every other test (failing under bluesky's RunEngine too) is skipped with that reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bluesky.tests.conftest import (  # bluesky's own fixtures, unchanged
    cleanup_any_figures,
    db,
    deterministic_sigint,
    hw,
)
from expectations import FLAKY, INTERNALS, XFAIL
from run_engine_adapter import RunEngineAdapter

__all__ = ["RE", "cleanup_any_figures", "db", "deterministic_sigint", "hw"]

HERE = Path(__file__).parent
BASELINE_FILE = HERE / "baseline.txt"
BASELINE_MODE = os.environ.get("SKYSCOPE_BLUESKY_BASELINE") == "1"
TEST_TIMEOUT_S = 15
"""bluesky's tests take seconds at most; the ones that hang under skyscope end sooner this way."""


def suite_id(item: pytest.Item) -> str:
    """``run_engine::test_pause[True]``: bluesky's module (without ``test_``) and test name."""
    module = item.path.stem.removeprefix("test_bluesky_")
    return f"{module}::{item.name}"


def _baseline() -> set[str]:
    lines = BASELINE_FILE.read_text().splitlines() if BASELINE_FILE.exists() else []
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def _lookup(table: dict[str, str], key: str) -> str | None:
    return table.get(key) or table.get(key.split("[")[0])


def counts(item: pytest.Item) -> bool:
    """Whether a test counts: it runs a plan on ``RE`` and pokes no RunEngine internals."""
    return "RE" in getattr(item, "fixturenames", ()) and _lookup(INTERNALS, suite_id(item)) is None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip what does not count, mark the known differences xfail(strict)."""
    baseline = _baseline()
    for item in items:
        if HERE not in item.path.parents:
            continue
        key = suite_id(item)
        item.add_marker(pytest.mark.timeout(TEST_TIMEOUT_S))
        internals = _lookup(INTERNALS, key)
        if internals is not None:
            item.add_marker(pytest.mark.skip(reason=f"pokes RunEngine internals: {internals}"))
        elif "RE" not in item.fixturenames:
            item.add_marker(pytest.mark.skip(reason="runs no plan on RE: no engine involved"))
        elif BASELINE_MODE:
            continue
        elif key not in baseline:
            item.add_marker(pytest.mark.skip(reason="bluesky's own RunEngine fails it here"))
        elif (reason := _lookup(XFAIL, key)) is not None:
            # a test known to hang would only burn its whole time limit: listed, not run
            runs = not reason.startswith("hangs")
            item.add_marker(pytest.mark.xfail(strict=True, reason=reason, run=runs))
        elif (reason := _lookup(FLAKY, key)) is not None:
            item.add_marker(pytest.mark.xfail(strict=False, reason=reason))


_passed: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """In baseline mode, note each counted test that passes (setup, call and teardown)."""
    if not BASELINE_MODE or "bluesky_suite" not in report.nodeid:
        return
    key = suite_id_of(report.nodeid)
    if report.passed and report.when == "call":
        _passed.append(key)
    elif report.failed and key in _passed:
        _passed.remove(key)  # an error in teardown


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In baseline mode, write the passing tests to ``baseline.txt``."""
    if BASELINE_MODE and _passed:
        header = "# bluesky's own tests that bluesky's RunEngine passes here (record_baseline)\n"
        BASELINE_FILE.write_text(header + "".join(f"{key}\n" for key in sorted(set(_passed))))


def suite_id_of(nodeid: str) -> str:
    """``suite_id`` from a node id."""
    path, _, name = nodeid.partition("::")
    return f"{Path(path).stem.removeprefix('test_bluesky_')}::{name}"


@pytest.fixture(params=[False, True])
def RE(request: pytest.FixtureRequest) -> Iterator[Any]:
    """skyscope's engine behind the adapter (or bluesky's RunEngine, measuring the baseline)."""
    if BASELINE_MODE:
        yield from _bluesky_run_engine(request.param)
        return
    adapter = RunEngineAdapter({}, call_returns_result=request.param)
    try:
        yield adapter
    finally:
        adapter.close()


def _bluesky_run_engine(call_returns_result: bool) -> Iterator[Any]:
    """bluesky's RunEngine as its own conftest makes it."""
    from bluesky.run_engine import RunEngine, TransitionError

    loop = asyncio.new_event_loop()
    loop.set_debug(True)
    engine = RunEngine({}, call_returns_result=call_returns_result, loop=loop)
    try:
        yield engine
    finally:
        if engine.state not in ("idle", "panicked"):
            with contextlib.suppress(TransitionError):
                engine.halt()
        loop.call_soon_threadsafe(loop.stop)
        engine._th.join()
        loop.close()

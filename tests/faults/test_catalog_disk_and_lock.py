"""The catalog under a full disk and a lock held by another process: what each run kept.

Each test runs a real acquisition of the simulated microscope with the catalog subscribed (on
its worker thread), makes the fault happen for real (a tmpfs filled to the last byte, another
process holding SQLite's write lock), and counts the documents the catalog kept against the
documents the engine emitted.

SQLite-only: both faults are an SQLite file's (the disk under the file, its write lock); the
PostgreSQL counterpart, a server that goes away mid-run, is test_catalog_postgres_restart.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "plans"))

from _fault_tools import Ballast, lock_held_by_another_process, small_disk
from _sim_scope import make_scope, release

import skyscope.broker._live as live_module
from skyscope.broker import Catalog
from skyscope.engine import Engine, RunResult
from skyscope.plans import close_run, open_run, sleep, trigger_and_read


class Emitted:
    """What the engine emitted, by kind (the ground truth the catalog is counted against)."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def __call__(self, name: str, doc: Any) -> None:
        self.counts[name] = self.counts.get(name, 0) + 1


async def acquire(plan: Any, catalog: Catalog) -> tuple[RunResult, Emitted]:
    engine = Engine(md={}, handle_sigint=False, raise_on_fail=False)
    emitted = Emitted()
    engine.subscribe(emitted)
    engine.subscribe(catalog)
    return await engine(plan), emitted


def kept(catalog: Catalog) -> dict[str, int]:
    run = catalog[-1]
    return {"events": run.num_events, "stopped": int(run.stop is not None)}


def problems_of(result: RunResult) -> str:
    return " | ".join(result.problems)


async def timed_count(
    camera: Any, frames: int, at: int, fault: Any, pause: float = 0.02
) -> AsyncGenerator[Any, Any]:
    """One run of ``frames`` events ``pause`` apart; ``fault()`` is called before event ``at``."""
    yield open_run(md={"purpose": "fault"})
    for index in range(frames):
        if index == at:
            fault()
        yield trigger_and_read([camera])
        if pause:
            yield sleep(pause)
    if at >= frames:
        fault()
    yield close_run()


@pytest.fixture
def disk(tmp_path: Path) -> Any:
    with small_disk(tmp_path / "disk", "24m") as where:
        yield where


async def test_disk_full_for_a_moment_mid_run_loses_nothing(disk: Path) -> None:
    scope = await make_scope(shape=(48, 64))
    ballast = Ballast(disk)

    def fill_then_free() -> None:
        ballast.fill()
        threading.Timer(1.0, ballast.free).start()  # not on the loop: flush() blocks it

    with Catalog(disk / "catalog.sqlite") as catalog:
        result, emitted = await acquire(timed_count(scope.camera, 60, 20, fill_then_free), catalog)
        assert catalog.flush(timeout=30)
        print(f"\nkept {kept(catalog)} of {emitted.counts}; result: {problems_of(result)}")
        assert result.exit_status == "success"
        assert kept(catalog) == {"events": 60, "stopped": 1}
        assert catalog[-1].status == "success"
        assert "full" in problems_of(result).lower()  # the run says the catalog had to retry
    await release(scope)


async def test_disk_full_at_the_stop_keeps_the_run(disk: Path) -> None:
    scope = await make_scope(shape=(48, 64))
    ballast = Ballast(disk)

    def fill_then_free() -> None:
        ballast.fill()
        threading.Timer(1.5, ballast.free).start()

    with Catalog(disk / "catalog.sqlite") as catalog:
        result, emitted = await acquire(
            timed_count(scope.camera, 30, 30, fill_then_free, pause=0.0), catalog
        )
        print(f"\nkept {kept(catalog)} of {emitted.counts}; result: {problems_of(result)}")
        assert result.exit_status == "success"
        assert kept(catalog) == {"events": 30, "stopped": 1}
        assert "full" in problems_of(result).lower()
    await release(scope)


async def test_disk_full_past_the_stop_says_so_then_commits_when_freed(
    disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live_module, "STOP_WAIT_S", 0.5)
    scope = await make_scope(shape=(48, 64))
    ballast = Ballast(disk)
    with Catalog(disk / "catalog.sqlite") as catalog:
        result, emitted = await acquire(
            timed_count(scope.camera, 30, 30, ballast.fill, pause=0.0), catalog
        )
        said = problems_of(result)
        print(f"\nresult while full: {said}")
        assert result.exit_status == "success"
        assert "not committed" in said
        assert "are kept" in said
        ballast.free()
        assert catalog.flush(timeout=30)
        assert kept(catalog) == {"events": 30, "stopped": 1}
        assert emitted.counts["event"] == 30
    await release(scope)


STALL_CHILD = """
import asyncio, json, math, sys
sys.path[:0] = sys.argv[1:3]
import useq
from _fault_tools import Ticker
from _sim_scope import make_scope, release
from skyscope.broker import Catalog
from skyscope.engine import Engine
from skyscope.plans import mda
from skyscope.writers import HDF5FrameWriter

async def main():
    folder = sys.argv[3]
    scope = await make_scope(shape=(32, 32), writer=HDF5FrameWriter(folder + "/frames.h5"))
    sequence = useq.MDASequence(time_plan={"interval": 0, "loops": 1000})
    counts = {}
    with Catalog(folder + "/catalog.sqlite") as catalog:
        engine = Engine(md={}, handle_sigint=False)
        engine.subscribe(lambda name, doc: counts.__setitem__(name, counts.get(name, 0) + 1))
        engine.subscribe(catalog)
        print("ready", flush=True)
        sys.stdin.readline()  # the parent holds the lock now
        async with Ticker() as ticker:
            result = await engine(mda(sequence, scope))
        committed = catalog.flush(timeout=60)
        run = catalog[-1]
        kept = {"events": run.num_events, "stopped": int(run.stop is not None)}
    await release(scope)
    print(json.dumps({"stall_ms": ticker.longest * 1e3, "emitted": counts, "kept": kept,
                      "committed": committed, "status": result.exit_status,
                      "problems": list(result.problems)}))

asyncio.run(main())
"""


def test_lock_held_five_seconds_during_a_1000_frame_mda(tmp_path: Path) -> None:
    """In a fresh process, as an acquisition runs: the loop never waits for the locked file."""
    path = tmp_path / "catalog.sqlite"
    Catalog(path).close()  # the file and its tables exist before the lock is taken
    here = Path(__file__).parent
    with subprocess.Popen(
        [sys.executable, "-c", STALL_CHILD, str(here), str(here.parent / "plans"), str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdin is not None
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready", child.communicate()[1][-3000:]
        with lock_held_by_another_process(path, 5.0):
            child.stdin.write("go\n")
            child.stdin.flush()
            out, errors = child.communicate(timeout=120)
    assert child.returncode == 0, errors[-3000:]
    report = json.loads(out.splitlines()[-1])
    print(f"\nlock held 5 s during a 1000-frame MDA: {report}")
    assert report["status"] == "success"
    assert report["committed"]
    frames_and_baseline = 1000 + 2  # the MDA reads a baseline at the start and the end
    assert report["kept"] == {"events": frames_and_baseline, "stopped": 1}
    assert report["emitted"]["event"] == frames_and_baseline
    # the goal is 20 ms and the printed figure is the measure (10-20 ms on a quiet machine);
    # the bound only tells a loop that waited for the 5 s lock from a loaded machine
    assert report["stall_ms"] < 500

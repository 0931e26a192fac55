"""Catalog files that are missing, damaged, busy or shared by several writers at once.

A healthy check and several writers at once run on both backends; the rest is about SQLite
files themselves (missing paths, corruption, the file lock, the version-1 file format), which a
PostgreSQL server handles on its own side, and stays SQLite-only.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "broker"))

from _broker_docs import small_run
from _fault_tools import lock_held_by_another_process

from skyscope.broker import Catalog, CatalogDamaged, CatalogError, Key


def skyscope_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "skyscope.cli", *args], capture_output=True, text=True, timeout=60
    )


def filled_catalog(path: Path | str, runs: int = 30) -> None:
    with Catalog(path) as catalog:
        for i in range(runs):
            meta = {"sample": f"s{i}", "time": 1e9 + i, "note": "x" * 2000}
            catalog.ingest(small_run(meta, n_events=20).docs)


def test_a_missing_catalog_is_an_error_and_nothing_is_created(tmp_path: Path) -> None:
    missing = tmp_path / "typo" / "catalgo.sqlite"
    with pytest.raises(CatalogError, match=r"no catalog at .*catalgo\.sqlite"):
        Catalog(missing, readonly=True)
    for command in (["runs"], ["show", "-1"], ["catalog", "check"]):
        done = skyscope_cli(*command, "--catalog", str(missing))
        assert done.returncode == 1, done
        assert done.stderr.count("\n") <= 1
        assert "Traceback" not in done.stderr
        assert "catalgo.sqlite" in done.stderr + done.stdout
    assert not missing.exists()
    assert not missing.parent.exists()


def test_a_file_that_is_not_a_catalog_gives_one_line(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(os.urandom(64 * 1024))
    with pytest.raises(CatalogDamaged, match="damaged or not a catalog"):
        Catalog(junk)
    done = skyscope_cli("runs", "--catalog", str(junk))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "catalog check" in done.stderr


def test_interior_corruption_is_reported_by_check(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite"
    filled_catalog(path)
    size = path.stat().st_size
    with path.open("r+b") as file:  # scribble over pages in the middle, keep the header
        file.seek(size // 2)
        file.write(os.urandom(16 * 1024))
    done = skyscope_cli("catalog", "check", "--catalog", str(path))
    print(done.stdout, done.stderr)
    assert done.returncode == 1
    assert "DAMAGED" in done.stdout
    assert "Traceback" not in done.stderr
    runs = skyscope_cli("runs", "--catalog", str(path), "--limit", "0")
    assert "Traceback" not in runs.stderr  # one line, or a table of what can still be read


def test_a_healthy_catalog_checks_ok(catalog_location: str) -> None:
    path = catalog_location
    filled_catalog(path, runs=3)
    done = skyscope_cli("catalog", "check", "--catalog", str(path))
    assert done.returncode == 0, done.stderr
    assert "ok" in done.stdout
    assert "3 runs (3 success)" in done.stdout


def test_opening_while_another_process_writes_waits_instead_of_failing(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite"
    filled_catalog(path, runs=2)
    with lock_held_by_another_process(path, 2.0):
        opened = time.perf_counter()
        with Catalog(path) as catalog:  # a current catalog opens without the write lock
            assert len(catalog) == 2
            catalog.ingest(small_run({"sample": "late"}).docs)  # waits for the lock
        waited = time.perf_counter() - opened
    print(f"\nopened and wrote after {waited:.2f} s of another process's 2 s lock")
    with Catalog(path, readonly=True) as catalog:
        assert len(catalog.search(Key("sample") == "late")) == 1


def test_an_old_catalog_is_upgraded_and_keeps_exact_integers(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite"
    with Catalog(path) as catalog:
        catalog.ingest(small_run({"sample": "a", "big": 2**53 + 1}).docs)
        catalog.ingest(small_run({"sample": "b", "big": 2**53}).docs)
        assert [r.start["sample"] for r in catalog.search(Key("big") == 2**53 + 1)] == ["a"]
        assert [r.start["sample"] for r in catalog.search(Key("big") == 2**53)] == ["b"]
    with sqlite3.connect(path) as db:  # make it look like schema version 1
        db.execute("UPDATE catalog_info SET value = '1' WHERE name = 'schema_version'")
        db.execute("ALTER TABLE runs DROP COLUMN interrupted")
    with Catalog(path) as catalog:
        (found,) = catalog.search(Key("big") == 2**53 + 1)
        assert found.start["sample"] == "a"
        assert len(catalog.search(Key("big") > 2**53)) == 1


TWO_WRITERS = textwrap.dedent("""
    import asyncio, sys
    sys.path.insert(0, sys.argv[1])
    from _sim_scope import make_scope
    from skyscope.broker import Catalog
    from skyscope.engine import Engine
    from skyscope.plans import count

    async def main():
        scope = await make_scope(shape=(16, 16))
        with Catalog(sys.argv[2]) as catalog:
            engine = Engine(md={}, handle_sigint=False)
            engine.subscribe(catalog)
            for _ in range(int(sys.argv[4])):
                await engine(count([scope.camera], int(sys.argv[5])), writer=sys.argv[3])

    asyncio.run(main())
""")


def test_two_live_writers_and_a_bulk_ingest_share_one_catalog(catalog_location: str) -> None:
    path = catalog_location
    Catalog(path).close()
    plans = str(Path(__file__).parents[1] / "plans")
    runs, events = 5, 200
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", TWO_WRITERS, plans, str(path), name, str(runs), str(events)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("left", "right")
    ]
    bulk = [small_run({"sample": f"bulk{i}", "writer": "bulk"}, n_events=100) for i in range(200)]
    with Catalog(path) as catalog:
        catalog.ingest(doc for run in bulk for doc in run.docs)
    for writer in writers:
        _, errors = writer.communicate(timeout=240)
        assert writer.returncode == 0, errors[-3000:]
    with Catalog(path, readonly=True) as catalog:
        for name, expected_runs, expected_events in (
            ("left", runs, events),
            ("right", runs, events),
            ("bulk", 200, 100),
        ):
            found = list(catalog.search(Key("writer") == name))
            assert len(found) == expected_runs
            assert all(run.num_events == expected_events for run in found)
            assert all(run.status == "success" for run in found)

"""Real faults for the catalog's fault suite: a small disk that fills, a lock held by another
process, a process killed with SIGKILL, and a ticker that measures event-loop stalls.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).parent


@contextlib.contextmanager
def small_disk(where: Path, size: str = "16m") -> Iterator[Path]:
    """A real tmpfs of ``size`` mounted at ``where`` (root needed; CI runs as root)."""
    where.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        message = f"cannot mount a tmpfs to fill ({mounted.stderr.strip()}); run as root"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


class Ballast:
    """Fills a disk until it is full, and frees the space again."""

    def __init__(self, disk: Path) -> None:
        self.path = disk / "ballast.bin"

    def fill(self) -> int:
        """Write until ENOSPC; return how many bytes the ballast took."""
        chunk = b"\0" * (256 * 1024)
        written = 0
        with self.path.open("ab", buffering=0) as file:
            while True:
                try:
                    written += file.write(chunk)
                except OSError:
                    break
        with contextlib.suppress(OSError), self.path.open("ab", buffering=0) as file:
            while True:  # the last partial chunk's worth, a KiB at a time
                file.write(b"\0" * 1024)
        return written

    def free(self) -> None:
        """Remove the ballast."""
        self.path.unlink(missing_ok=True)


@contextlib.contextmanager
def lock_held_by_another_process(catalog: Path, seconds: float) -> Iterator[None]:
    """Another process takes the catalog's write lock and holds it for ``seconds``."""
    script = textwrap.dedent(f"""
        import sqlite3, sys, time
        db = sqlite3.connect({str(catalog)!r}, isolation_level=None, timeout=30)
        db.execute("BEGIN IMMEDIATE")
        print("locked", flush=True)
        time.sleep({seconds})
        db.execute("COMMIT")
    """)
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as child:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "locked", child.communicate()[1]
        try:
            yield
        finally:
            child.communicate(timeout=seconds + 30)


def catalog_is_locked(catalog: Path) -> bool:
    """Can another connection take the write lock right now?"""
    db = sqlite3.connect(catalog, isolation_level=None, timeout=0)
    try:
        db.execute("BEGIN IMMEDIATE")
        db.execute("ROLLBACK")
    except sqlite3.OperationalError:
        return True
    finally:
        db.close()
    return False


class Ticker:
    """A task that wakes every millisecond and records the longest gap: the loop's worst stall."""

    def __init__(self, period: float = 0.001) -> None:
        self.period = period
        self.longest = 0.0
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Ticker:
        self._task = asyncio.get_running_loop().create_task(self._tick())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _tick(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(self.period)
            now = time.perf_counter()
            self.longest = max(self.longest, now - last - self.period)
            last = now


def run_child(script: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run a Python script in a child process with the fault helpers importable."""
    return subprocess.run(
        [sys.executable, "-c", script, str(HERE), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )

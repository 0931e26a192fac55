"""Ctrl-C in a terminal: the first press pauses at the next checkpoint, a second pauses now."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

SCRIPT = """
import asyncio, sys
from skyscope.devices import SoftDetector
from skyscope.engine import Engine
from skyscope.plans import count

async def main():
    det = SoftDetector("det")
    await det.connect()
    engine = Engine(md={})
    print("ready", flush=True)
    result = await engine(count([det], 1000, delay=1.0))
    print("state", result.state.value, flush=True)
    final = await engine.abort("done testing")
    print("final", final.exit_status, final.reason, flush=True)

asyncio.run(main())
"""


def _run_with_sigints(tmp_path: Path, presses: int) -> str:
    env = {**os.environ, "SKYSCOPE_DATA_DIR": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env=env,
    )  # fmt: skip
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(0.3)
    for _ in range(presses):
        proc.send_signal(signal.SIGINT)
        time.sleep(0.05)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    return out + err


def test_one_ctrl_c_pauses_at_a_checkpoint(tmp_path: Path) -> None:
    output = _run_with_sigints(tmp_path, 1)
    assert "pausing at the next checkpoint" in output
    assert "state paused" in output
    assert "final abort done testing" in output


def test_two_ctrl_c_pause_now(tmp_path: Path) -> None:
    output = _run_with_sigints(tmp_path, 2)
    assert "pausing now" in output
    assert "state paused" in output

"""Ctrl-C during an acquisition from the command line: one line, and the run recorded as aborted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from skyscope.broker import Catalog, CatalogError


def wait_for_mda_run(catalog_path: Path, child: subprocess.Popen[str], timeout: float) -> None:
    """Poll the catalog until the demo's MDA run has started acquiring."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert child.poll() is None, child.communicate()
        try:
            with Catalog(catalog_path, readonly=True) as catalog:
                newest = catalog[-1] if len(catalog) else None
                if newest and newest.start.get("plan_name") == "mda" and newest.num_events >= 3:
                    return
        except CatalogError:
            pass  # not created yet
        time.sleep(0.1)
    raise AssertionError("the demo's MDA never started")


def test_ctrl_c_during_the_demo_prints_one_line_and_records_an_abort(tmp_path: Path) -> None:
    env = {**os.environ, "SKYSCOPE_DATA_DIR": str(tmp_path)}
    with subprocess.Popen(
        [sys.executable, "-m", "skyscope.cli", "demo"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        wait_for_mda_run(tmp_path / "catalog.sqlite", child, timeout=120)
        child.send_signal(signal.SIGINT)
        _, errors = child.communicate(timeout=60)
    assert child.returncode == 130, errors
    assert "Traceback" not in errors
    assert len(errors.strip().splitlines()) == 1, errors
    assert "interrupted" in errors
    with Catalog(tmp_path / "catalog.sqlite", readonly=True) as catalog:
        run = catalog[-1]
        assert run.start["plan_name"] == "mda"
        assert run.status == "abort"
        assert run.num_events >= 3

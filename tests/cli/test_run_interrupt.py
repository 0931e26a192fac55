"""Ctrl-C during ``skyscope run``: the run stored as aborted, its frames readable, exit 130."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import zarr

from skyscope.broker import Catalog


def test_ctrl_c_during_a_run_keeps_what_it_acquired(tmp_path: Path) -> None:
    sequence = tmp_path / "lapse.yaml"
    sequence.write_text("channels: [DAPI]\ntime_plan: {interval: 0.2, loops: 200}\n")
    output, catalog = tmp_path / "lapse.ome.zarr", tmp_path / "catalog.sqlite"
    command = [sys.executable, "-m", "skyscope", "run", str(sequence), "-o", str(output)]
    with subprocess.Popen(
        [*command, "--catalog", str(catalog), "--frame-size", "32"],
        env={**os.environ, "SKYSCOPE_DATA_DIR": str(tmp_path / "data")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stderr is not None
        first = child.stderr.readline()  # the progress line: the first frame is in
        assert first.startswith("1/200 frames"), first
        child.send_signal(signal.SIGINT)
        _, errors = child.communicate(timeout=60)

    assert child.returncode == 130, errors
    assert "Traceback" not in errors
    assert "interrupted" in errors.splitlines()[-1]
    with Catalog(catalog, readonly=True) as store:
        run = store[-1]
        assert run.status == "abort"
        frames = np.asarray(run["primary"].frames("scope-camera-image"))
    assert 1 <= len(frames) < 200
    image = np.asarray(zarr.open_group(str(output), mode="r")["0/0"])
    np.testing.assert_array_equal(image[: len(frames), 0], frames)

"""``skyscope demo`` end to end: files written, catalogued, and readable by their own readers."""

from __future__ import annotations

import struct
from pathlib import Path

import h5py
import numpy as np
import pytest
import zarr

from skyscope import _paths
from skyscope.broker import Catalog
from skyscope.cli import main


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_demo_acquires_catalogues_and_previews(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "data"
    monkeypatch.setenv(_paths.DATA_DIR_ENV, str(tmp_path / "elsewhere"))  # restored afterwards

    code = main(["demo", "--data-dir", str(data_dir), "--positions", "2", "--timepoints", "1"])

    assert code == 0
    out = capsys.readouterr().out
    assert "skyscope show -1" in out
    (run_dir,) = (data_dir / "runs").iterdir()
    frames = np.asarray(zarr.open_group(str(run_dir / "mda.ome.zarr"), mode="r")["0"])
    assert frames.reshape(-1, 256, 256).shape[0] == 2 * 2 * 5
    tiles = np.asarray(zarr.open_group(str(run_dir / "tiles.ome.zarr"), mode="r")["0"])
    assert tiles.reshape(-1, 256, 256).shape[0] == 9
    assert _png_size(run_dir / "mosaic.png")[0] > 256 * 2
    width, height = _png_size(run_dir / "preview.png")
    assert width > 2 * 256
    assert height >= 2 * 256

    with Catalog(data_dir / "catalog.sqlite") as catalog:
        assert len(catalog) == 2
        run = catalog[-1]
        assert run.start["plan_name"] == "mda"
        assert run.stop["exit_status"] == "success"
        assert set(run.stream_names) == {"primary", "autofocus", "baseline"}
        stored = np.asarray(run["primary"].frames("scope-camera-image"))
        np.testing.assert_array_equal(stored, frames.reshape(-1, 256, 256))
    (h5_path,) = run_dir.glob(f"*{run.start['uid'][:8]}.h5")
    with h5py.File(h5_path, "r") as f:
        assert f.attrs["exit_status"] == "success"
        assert f["primary/data/z_um"].shape == (20,)
        assert f["autofocus/data/offset_um"].shape == (2,)

    assert main(["show", "-1", "--catalog", str(data_dir / "catalog.sqlite")]) == 0
    assert "mda" in capsys.readouterr().out


def test_the_demo_refuses_nonsense_sizes(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="at least 1"):
        main(["demo", "--data-dir", str(tmp_path), "--positions", "0"])

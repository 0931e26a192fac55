"""The catalog commands: ``skyscope runs``, ``show`` and ``export``."""

from __future__ import annotations

import csv
from pathlib import Path

import h5py
import numpy as np
import pytest
from _broker_docs import HDF5, camera_run, file_uri, small_run

from skyscope import _paths
from skyscope.broker import Catalog, CatalogError
from skyscope.cli import main
from skyscope.exporters import read_jsonl, read_msgpack

T0 = 1_700_000_000.0


@pytest.fixture
def catalog_path(tmp_path: Path, catalog_location: str) -> str:
    path = catalog_location
    with h5py.File(tmp_path / "cam.h5", "w") as f:
        f["data"] = np.zeros((3, 8, 6), "<u2")
    with Catalog(path) as catalog:
        for i, (sample, plan) in enumerate(
            [("beads", "count"), ("cells", "scan"), ("beads", "scan")]
        ):
            catalog.ingest(
                small_run(
                    {
                        "uid": f"run{i}-uid-{i}" * 2,
                        "scan_id": 10 + i,
                        "time": T0 + 60 * i,
                        "sample": sample,
                        "plan_name": plan,
                        "operator": "ada",
                    }
                ).docs
            )
        camera = camera_run(
            {
                "uid": "cam-run-uid",
                "scan_id": 20,
                "time": T0 + 600,
                "plan_name": "count",
                "sample": "tissue",
            },
            HDF5,
            file_uri(tmp_path / "cam.h5"),
            {"dataset": "data"},
            3,
            (8, 6),
        )
        catalog.ingest(camera.docs)
    return path


def test_runs_lists_newest_first(catalog_path: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["runs", "--catalog", str(catalog_path)]) == 0
    out = capsys.readouterr().out
    order = [out.index(uid[:8]) for uid in ("cam-run-", "run2-uid", "run1-uid", "run0-uid")]
    assert order == sorted(order)
    assert "4 of 4 runs" in out
    assert "success" in out


@pytest.mark.parametrize(
    ("options", "shown", "hidden"),
    [
        (["--sample", "beads"], ["run0-uid", "run2-uid"], ["run1-uid", "cam-run-"]),
        (["--plan", "scan", "--sample", "beads"], ["run2-uid"], ["run0-uid", "run1-uid"]),
        (
            ["--since", "1970-01-01", "--until", str(T0 + 90)],
            ["run0-uid", "run1-uid"],
            ["run2-uid"],
        ),
        (["--key", "scan_id=11"], ["run1-uid"], ["run0-uid", "run2-uid"]),
        (["--text", "tissue"], ["cam-run-"], ["run0-uid"]),
        (["--scan-id", "20"], ["cam-run-"], ["run0-uid"]),
        (["--limit", "1"], ["cam-run-"], ["run2-uid"]),
    ],
)
def test_runs_filters(
    catalog_path: str,
    capsys: pytest.CaptureFixture[str],
    options: list[str],
    shown: list[str],
    hidden: list[str],
) -> None:
    assert main(["runs", "--catalog", str(catalog_path), *options]) == 0
    out = capsys.readouterr().out
    assert all(uid in out for uid in shown), out
    assert not any(uid in out for uid in hidden), out


def test_runs_uses_the_default_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    with Catalog() as catalog:
        catalog.ingest(small_run({"uid": "default-run", "time": T0}).docs)
    assert main(["runs"]) == 0
    out = capsys.readouterr().out
    assert "default-" in out
    assert _paths.catalog_path().exists()


@pytest.mark.parametrize("which", ["-1", "20", "cam-run", "cam-run-uid"])
def test_show(catalog_path: str, capsys: pytest.CaptureFixture[str], which: str) -> None:
    assert main(["show", which, "--catalog", str(catalog_path)]) == 0
    out = capsys.readouterr().out
    assert "Run cam-run-uid" in out
    assert "tissue" in out
    assert "stream 'primary': 3 events" in out
    assert "(3, 8, 6)" in out  # the frames' shape, events first
    assert "application/x-hdf5" in out


def test_show_unknown_run_is_an_error(
    catalog_path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["show", "nothing-like-this", "--catalog", str(catalog_path)]) == 1
    err = capsys.readouterr().err
    assert "no run with uid or uid prefix 'nothing-like-this'" in err
    assert main(["runs", "--catalog", str(catalog_path), "--since", "someday"]) == 1
    assert "'someday' is not a time" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["jsonl", "msgpack", "csv", "hdf5"])
def test_export(
    catalog_path: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    out_dir = tmp_path / "out"
    args = ["export", "cam-run", "--format", fmt, "--to", str(out_dir)]
    assert main([*args, "--catalog", str(catalog_path)]) == 0
    written = [Path(line) for line in capsys.readouterr().out.split()]
    assert written
    assert all(p.parent == out_dir and p.exists() for p in written)
    with Catalog(catalog_path) as source:
        original = list(source["cam-run-uid"].documents())
    if fmt in ("jsonl", "msgpack"):  # every document, in order, and back into a catalog
        read = read_jsonl if fmt == "jsonl" else read_msgpack
        assert list(read(written[0])) == original
        with Catalog(tmp_path / "again.sqlite") as again:
            again.ingest(read(written[0]))
            assert list(again[-1].documents()) == original
    elif fmt == "csv":
        rows = list(csv.reader(written[0].read_text().splitlines()))
        assert rows[0][:4] == ["time", "seq_num", "x", "label"]
        assert [row[2] for row in rows[1:]] == ["0.0", "0.5", "1.0"]
    else:
        with h5py.File(written[0], "r") as f:
            assert f.visit(lambda name: name if name.endswith("cam") else None)


def test_export_unknown_format_is_refused(catalog_path: str) -> None:
    with (
        Catalog(catalog_path) as catalog,
        pytest.raises(CatalogError, match="cannot export as 'xls'"),
    ):
        catalog[-1].export("xls", Path("out"))

"""``skyscope run SEQUENCE``: a useq file acquired into its output and catalog, with progress."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tifffile
import useq
import yaml
import yaozarrs
import zarr
from ome_types import from_xml

from skyscope.broker import Catalog
from skyscope.cli import main
from skyscope.cli._progress_line import ProgressLine
from skyscope.writers import image_files

SEQUENCE: dict[str, Any] = {
    "stage_positions": [
        {"x": 0.0, "y": 0.0, "name": "left"},
        {"x": 40.0, "y": 10.0, "z": 2500.0, "name": "right"},
    ],
    "channels": [{"config": "DAPI", "exposure": 2}, {"config": "FITC", "exposure": 3}],
    "z_plan": {"range": 2, "step": 1},
    "time_plan": {"interval": 0, "loops": 2},
}
FRAMES = 2 * 2 * 2 * 3  # t x p x c x z
SIZE = 32


def _write(path: Path, data: Any) -> Path:
    text = yaml.safe_dump(data) if path.suffix == ".yaml" else json.dumps(data)
    path.write_text(text)
    return path


def _run(tmp_path: Path, sequence: Path, output: Path, *extra: str) -> int:
    catalog = tmp_path / "catalog.sqlite"
    args = ["run", str(sequence), "-o", str(output), "--catalog", str(catalog)]
    return main([*args, "--frame-size", str(SIZE), *extra])


def _stored(tmp_path: Path) -> tuple[dict[str, Any], list[dict[str, Any]], np.ndarray]:
    """The start document, the primary events' data and the frames of the newest run."""
    with Catalog(tmp_path / "catalog.sqlite", readonly=True) as catalog:
        run = catalog[-1]
        primary = run["primary"]
        data = primary.read()
        rows = [{k: data[k].values[i] for k in ("t", "p", "c", "z")} for i in range(len(data["t"]))]
        frames = np.asarray(primary.frames("scope-camera-image"))
        assert set(run.stream_names) == {"primary", "baseline"}
        return dict(run.start), rows, frames


def _check_planes(pixels: dict[int, np.ndarray], rows: list[dict[str, Any]], frames: Any) -> None:
    """Every stored frame is the plane its event's (t, p, c, z) names, pixel for pixel."""
    for row, frame in zip(rows, frames, strict=True):
        plane = pixels[int(row["p"])][int(row["t"]), int(row["c"]), int(row["z"])]
        np.testing.assert_array_equal(plane, frame)


def test_a_yaml_sequence_is_acquired_into_ome_zarr_and_the_catalog(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sequence = _write(tmp_path / "cells.yaml", SEQUENCE)
    output = tmp_path / "cells.ome.zarr"

    assert _run(tmp_path, sequence, output, "--md", "sample=hela", "--md", "dish=3") == 0

    out, err = capsys.readouterr()
    assert f"success, {FRAMES} frames" in out
    assert str(output) in out
    assert err.splitlines()[-1].startswith(f"{FRAMES}/{FRAMES} frames  100%  ETA 0:00:00")
    yaozarrs.validate_zarr_store(str(output))
    root = zarr.open_group(str(output), mode="r")
    pixels = {p: np.asarray(root[f"{p}/0"]) for p in (0, 1)}
    assert pixels[0].shape == (2, 2, 3, SIZE, SIZE)
    start, rows, frames = _stored(tmp_path)
    assert start["plan_name"] == "mda"
    assert start["sample"] == "hela"
    assert start["dish"] == 3
    assert start["sequence_file"] == str(sequence)
    assert useq.MDASequence(**start["mda_sequence"]) == useq.MDASequence(**SEQUENCE)
    assert len(rows) == FRAMES
    _check_planes(pixels, rows, frames)


def test_a_json_sequence_is_acquired_into_ome_tiff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sequence = _write(tmp_path / "cells.json", SEQUENCE)
    output = tmp_path / "cells.ome.tif"

    assert _run(tmp_path, sequence, output) == 0

    assert f"frames:  {image_files(output, 2)[0]}" in capsys.readouterr().out
    _, rows, frames = _stored(tmp_path)
    pixels = {}
    for p, path in enumerate(image_files(output, 2)):
        with tifffile.TiffFile(path) as tif:
            ome = from_xml(tif.ome_metadata)
            assert ome.images[0].pixels.size_t == 2
            pixels[p] = tif.series[0].asarray()
    _check_planes(pixels, rows, frames)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.yaml", None, "cannot read"),
        ("cells.txt", "channels: [DAPI]", "ends in .yaml, .yml, .json"),
        ("bad.yaml", "channels: [DAPI]\nz_plan: {range: -2, step: oops}", "not a useq"),
        ("bad.json", "{not json", "not a useq"),
    ],
)
def test_a_sequence_file_that_cannot_be_read_is_refused_saying_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    assert _run(tmp_path, path, tmp_path / "x.ome.zarr") == 2
    err = capsys.readouterr().err
    assert message in err
    assert name in err
    assert not (tmp_path / "catalog.sqlite").exists()  # nothing started


def test_a_channel_the_microscope_lacks_fails_before_anything_moves(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sequence = _write(tmp_path / "cells.yaml", {**SEQUENCE, "channels": ["DAPI", "Cy7"]})
    assert _run(tmp_path, sequence, tmp_path / "x.ome.zarr") == 1
    err = capsys.readouterr().err
    assert "'Cy7' is not on the filter wheel" in err
    with Catalog(tmp_path / "catalog.sqlite", readonly=True) as catalog:
        assert len(catalog) == 0


class Clock:
    """A clock the test moves by hand (the progress line's ETA is elapsed time per frame)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _feed(line: ProgressLine, clock: Clock, total: int | None, lateness: list[float]) -> None:
    line("start", {"uid": "r", "num_points": total} if total else {"uid": "r"})
    line("descriptor", {"uid": "b", "name": "baseline"})
    line("event", {"descriptor": "b", "data": {}})
    line("descriptor", {"uid": "f", "name": "primary"})
    for late in lateness:
        clock.now += 2.0
        line("event", {"descriptor": "f", "data": {"lateness_s": late}})


def test_the_progress_line_tells_frames_eta_and_lateness() -> None:
    out, clock = io.StringIO(), Clock()
    line = ProgressLine(out, clock=clock, every_s=0.0)

    _feed(line, clock, 10, [0.0, 0.001, 0.5, 0.25])

    assert line.done == 4  # the baseline's event is no frame
    assert line.line() == "4/10 frames   40%  ETA 0:00:12  0.25 s late"
    assert out.getvalue().splitlines()[0] == "1/10 frames   10%  ETA 0:00:18  on time"
    line("stop", {"uid": "s"})
    assert out.getvalue().splitlines()[-1] == line.line()


def test_the_progress_line_without_a_total_and_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out, clock = Terminal(), Clock()
    line = ProgressLine(out, clock=clock, every_s=0.0)
    _feed(line, clock, None, [0.0, 0.0])
    line("stop", {"uid": "s"})
    assert line.line() == "2/? frames  ETA ?  on time"
    assert out.getvalue().startswith("\r1/? frames")
    assert out.getvalue().endswith("\n")
    assert out.getvalue().count("\n") == 1


def test_a_sequence_runs_on_a_micro_manager_configuration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("pymmcore_plus")
    from skyscope.devices.mm.demo import DEMO_CONFIG

    config = tmp_path / "MMConfig.cfg"
    config.write_bytes(Path(DEMO_CONFIG).read_bytes())
    sequence = _write(
        tmp_path / "stack.yaml", {"channels": ["DAPI", "FITC"], "z_plan": {"range": 2, "step": 1}}
    )
    output = tmp_path / "stack.ome.zarr"

    assert _run(tmp_path, sequence, output, "--mm", str(config)) == 0

    assert "success, 6 frames" in capsys.readouterr().out
    image = zarr.open_group(str(output), mode="r")["0/0"]
    assert image.shape[:2] == (2, 3)
    with Catalog(tmp_path / "catalog.sqlite", readonly=True) as catalog:
        run = catalog[-1]
        baseline = run["baseline"].read()
        assert float(baseline["scope-optics-pixel_size_um"].values[0]) > 0
        assert "scope-objective-position" in baseline
        primary = np.asarray(run["primary"].frames("scope-camera-image"))
    np.testing.assert_array_equal(primary, np.asarray(image).reshape(-1, *image.shape[2:]))

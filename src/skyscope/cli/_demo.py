"""``skyscope demo``: a multi-position, two-channel z-stack time-lapse on the simulated microscope.

Autofocus at each position, frames to OME-Zarr, every run to a per-run HDF5 file and the
catalog, a tile mosaic, then labelled PNG previews (``_demo_preview``) and a summary of where
everything is.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import zarr
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from skyscope import _paths
from skyscope.broker import Catalog
from skyscope.devices.sim import CameraSettings, Microscope, SensorSpec
from skyscope.engine import Engine
from skyscope.exporters import RunHDF5Exporter
from skyscope.plans import FocusSweep, Tile, mda, stitch, tile_scan
from skyscope.writers import ImageAxes, OMEZarrFrameWriter

from ._demo_preview import Field, Mosaic, mosaic_png, preview_png

SEED = 7
SENSOR = (256, 256)
CHANNELS = (("DAPI", 10.0), ("FITC", 20.0))
DRIFT_UM_PER_S = (0.0, 0.0, 0.15)  # the sample creeps up: autofocus keeps up with it
DEMO_SWEEP = FocusSweep(half_range_um=24.0, coarse_step_um=6.0, fine_step_um=0.4, shrink=4.0)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``skyscope demo``."""
    parser = subparsers.add_parser(
        "demo", help="acquire a demo MDA on the simulated microscope", description=__doc__
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="where catalog and runs go (default: the skyscope data directory)",
    )
    parser.add_argument("--positions", type=int, default=3, help="stage positions (default 3)")
    parser.add_argument("--timepoints", type=int, default=3, help="time points (default 3)")
    parser.set_defaults(handler=run_demo, command="demo")


@dataclass
class DemoResult:
    """What the demo made: its folder, files and runs."""

    run_dir: Path
    catalog: Path
    files: dict[str, Path] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)
    focus: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """What the subscribers (the catalog, the exporters) reported: empty when all went well."""


def run_demo(args: argparse.Namespace) -> int:
    """Run the demo and print where everything is."""
    if args.positions < 1 or args.timepoints < 1:
        raise SystemExit("skyscope demo: --positions and --timepoints must be at least 1")
    if importlib.util.find_spec("matplotlib") is None:
        raise SystemExit(
            "skyscope demo draws its previews with matplotlib: pip install skyscope[demo]"
        )
    if args.data_dir is not None:
        os.environ[_paths.DATA_DIR_ENV] = str(args.data_dir.absolute())
    console = Console()
    begun = time.monotonic()
    result = asyncio.run(demo(console, args.positions, args.timepoints))
    _summary(console, result, time.monotonic() - begun, args.data_dir is not None)
    return 0


async def demo(console: Console, positions: int, timepoints: int) -> DemoResult:
    """Acquire the MDA and the tile scan; return what was made."""
    run_dir = _paths.runs_dir() / time.strftime("demo-%Y%m%d-%H%M%S")
    run_dir.mkdir(parents=True, exist_ok=False)
    result = DemoResult(run_dir, _paths.catalog_path())
    scope = Microscope(
        seed=SEED,
        sensor=SensorSpec(shape=SENSOR),
        drift_um_per_s=DRIFT_UM_PER_S,
        camera=CameraSettings(exposure_s=0.01),
    )
    await scope.connect()
    await scope.light.set(80.0)
    engine = Engine(handle_sigint=False)
    hdf5 = RunHDF5Exporter(run_dir)
    documents: list[tuple[str, Any]] = []
    with Catalog(result.catalog) as catalog:
        for subscriber in (catalog, hdf5, lambda n, d: documents.append((n, d))):
            engine.subscribe(subscriber)
        sequence = _sequence(_cell_positions(scope, positions), timepoints)
        pixel = scope.model.pixel_size_um()
        first = sequence.stage_positions[0]
        tiles_path = run_dir / "tiles.ome.zarr"
        fov = (SENSOR[1] * pixel, SENSOR[0] * pixel)
        with _progress(console, engine, "overview: 3 x 3 tiles, 15 % overlap"):
            tiled = await engine(
                tile_scan(
                    scope,
                    rows=3,
                    columns=3,
                    field_of_view_um=fov,
                    overlap=0.15,
                    center_um=(first.x or 0.0, first.y or 0.0),
                    channel="FITC",
                    exposure_ms=20.0,
                    writer=OMEZarrFrameWriter(tiles_path),
                )
            )
        tile_docs = list(documents)
        zarr_path = run_dir / "mda.ome.zarr"
        writer = OMEZarrFrameWriter(zarr_path, axes=ImageAxes(scales={"y": pixel, "x": pixel}))
        label = f"MDA: {positions} positions x 2 channels x 5 z x {timepoints} t"
        with _progress(console, engine, label):
            acquired = await engine(
                mda(
                    sequence,
                    scope,
                    writer=writer,
                    focus_sweep=DEMO_SWEEP,
                    md={"sample": "simulated cells", "purpose": "skyscope demo"},
                )
            )
    hdf5.close()
    result.problems = [*tiled.problems, *acquired.problems]
    mda_docs = documents[len(tile_docs) :]
    _record(result, mda_docs, tile_docs, zarr_path, tiles_path, hdf5)
    _previews(result, mda_docs, tile_docs, pixel)
    return result


def _cell_positions(scope: Microscope, count: int) -> list[tuple[float, float]]:
    """Pick fields centred on bright nuclei (DAPI), spread over the middle of the slide."""
    sample = scope.model.sample
    nuclei = (sample.fluorophore == 0) & (sample.brightness > 1e7)
    nuclei &= (np.abs(sample.x) < 1500) & (np.abs(sample.y) < 1500)
    xs, ys = sample.x[nuclei], sample.y[nuclei]
    order = np.argsort(np.hypot(xs - 600, ys))  # deterministic walk outwards from one spot
    chosen: list[tuple[float, float]] = []
    for x, y in zip(xs[order], ys[order], strict=True):
        if all(np.hypot(x - cx, y - cy) > 400 for cx, cy in chosen):
            chosen.append((round(float(x), 1), round(float(y), 1)))
        if len(chosen) == count:
            break
    return chosen


def _sequence(positions: list[tuple[float, float]], timepoints: int) -> Any:
    import useq

    return useq.MDASequence(
        stage_positions=[
            {"x": x, "y": y, "z": 2500.0, "name": f"cell-{i + 1}"}
            for i, (x, y) in enumerate(positions)
        ],
        channels=[{"config": name, "exposure": ms} for name, ms in CHANNELS],
        z_plan={"range": 4.0, "step": 1.0},
        time_plan={"interval": 1.0, "loops": timepoints},
        autofocus_plan={"axes": ("p",)},
        axis_order="tpcz",
    )


class _progress:
    """A rich progress bar over the events of the next run, fed by the engine's documents."""

    def __init__(self, console: Console, engine: Engine, label: str) -> None:
        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        )
        self._engine, self._label = engine, label
        self._task = self._bar.add_task(label, total=None)
        self._frames: set[str] = set()  # descriptor uids of the primary stream
        self._token = engine.subscribe(self._on_document)

    def _on_document(self, name: str, doc: Any) -> None:
        if name == "start":
            self._bar.update(self._task, total=doc.get("num_points"))
        elif name == "descriptor" and doc["name"] == "primary":
            self._frames.add(doc["uid"])
        elif name == "event" and doc["descriptor"] in self._frames:
            self._bar.advance(self._task)

    def __enter__(self) -> _progress:
        self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._engine.unsubscribe(self._token)
        self._bar.stop()


def _events(docs: list[tuple[str, Any]], stream: str = "primary") -> list[dict[str, Any]]:
    names = {d["uid"]: d["name"] for n, d in docs if n == "descriptor"}
    return [d["data"] for n, d in docs if n == "event" and names[d["descriptor"]] == stream]


def _record(
    result: DemoResult,
    mda_docs: list[tuple[str, Any]],
    tile_docs: list[tuple[str, Any]],
    zarr_path: Path,
    tiles_path: Path,
    hdf5: RunHDF5Exporter,
) -> None:
    for docs in (tile_docs, mda_docs):
        start = next(d for n, d in docs if n == "start")
        stop = next(d for n, d in docs if n == "stop")
        result.runs.append(
            {
                "uid": start["uid"],
                "scan_id": start.get("scan_id"),
                "plan": start["plan_name"],
                "frames": stop["num_events"].get("primary", 0),
                "seconds": stop["time"] - start["time"],
                "status": stop["exit_status"],
            }
        )
        for path in hdf5.files.get(start["uid"], []):
            result.files[f"per-run HDF5 ({start['plan_name']})"] = path
    result.focus = _events(mda_docs, "autofocus")
    result.files["OME-Zarr frames (MDA)"] = zarr_path
    result.files["OME-Zarr frames (tiles)"] = tiles_path


def _frames(path: Path) -> npt.NDArray[Any]:
    image = zarr.open_group(str(path), mode="r")["0"]
    return np.asarray(image).reshape(-1, SENSOR[0], SENSOR[1])


def _previews(
    result: DemoResult,
    mda_docs: list[tuple[str, Any]],
    tile_docs: list[tuple[str, Any]],
    pixel: float,
) -> None:
    """Labelled max projections (last time point) per position and channel, and the mosaic."""
    frames, events = _frames(result.files["OME-Zarr frames (MDA)"]), _events(mda_docs)
    last_t = max(e["t"] for e in events)
    positions = sorted({e["p"] for e in events})
    channels = [name for name, _ in CHANNELS]
    where = [(e["t"], e["p"], e["c"]) for e in events]
    mips = [
        [frames[[w == (last_t, p, c) for w in where]].max(axis=0) for c in range(len(channels))]
        for p in positions
    ]
    fields = [_field(events, p) for p in positions]
    started = min(e["started_s"] for e in events if e["t"] == last_t)
    time_label = f"time point {last_t + 1} of {last_t + 1} (t = {started:.1f} s)"
    mosaic = _mosaic(tile_docs, result.files["OME-Zarr frames (tiles)"], pixel)
    mosaic_path = result.run_dir / "mosaic.png"
    mosaic_path.write_bytes(mosaic_png(mosaic, fields, SENSOR))
    preview_path = result.run_dir / "preview.png"
    preview_path.write_bytes(preview_png(mips, fields, channels, pixel, time_label, mosaic))
    result.files["preview PNG (MIPs per position x channel | mosaic)"] = preview_path
    result.files["mosaic PNG (MDA positions marked)"] = mosaic_path


def _field(events: list[dict[str, Any]], position: int) -> Field:
    """Where position ``position`` was imaged (its first frame's stage readback)."""
    first = next(e for e in events if e["p"] == position)
    return Field(first["pos_name"] or f"position {position}", first["x_um"], first["y_um"])


def _mosaic(tile_docs: list[tuple[str, Any]], tiles_path: Path, pixel: float) -> Mosaic:
    """The stitched overview and the stage position of its top-left pixel."""
    tiles = [
        Tile(e["x_um"], e["y_um"], f)
        for e, f in zip(_events(tile_docs), _frames(tiles_path), strict=True)
    ]
    top = min(round(t.y_um / pixel - SENSOR[0] / 2) for t in tiles)
    left = min(round(t.x_um / pixel - SENSOR[1] / 2) for t in tiles)
    return Mosaic(stitch(tiles, pixel), left * pixel, top * pixel, pixel)


def _summary(console: Console, result: DemoResult, seconds: float, custom_dir: bool) -> None:
    runs = Table(title="runs", title_justify="left")
    for column in ("scan", "uid", "plan", "frames", "seconds", "status"):
        runs.add_column(column)
    for r in result.runs:
        runs.add_row(
            str(r["scan_id"]),
            r["uid"][:8],
            r["plan"],
            str(r["frames"]),
            f"{r['seconds']:.1f}",
            r["status"],
        )
    focus = Table(title="autofocus (per time point and position)", title_justify="left")
    for column in ("t", "p", "focus (µm)", "offset (µm)", "frames"):
        focus.add_column(column)
    for f in result.focus:
        focus.add_row(
            str(f["t"]),
            str(f["p"]),
            f"{f['focus_um']:.2f}",
            f"{f['offset_um']:+.2f}",
            str(f["frames"]),
        )
    files = Table(title="files", title_justify="left")
    files.add_column("what")
    files.add_column("where", overflow="fold")
    files.add_row("catalog (SQLite)", str(result.catalog))
    for what, path in result.files.items():
        files.add_row(what, str(path))
    for table in (runs, focus, files):
        console.print(table)
    for problem in result.problems:
        console.print(f"[yellow]problem:[/yellow] {problem}", soft_wrap=True)
    again = "skyscope show -1" + (f" --catalog {result.catalog}" if custom_dir else "")
    console.print(
        f"Done in {seconds:.1f} s. Find the run again with: [bold]{again}[/bold]", soft_wrap=True
    )

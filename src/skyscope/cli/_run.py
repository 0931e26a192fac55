"""skyscope run SEQUENCE: acquire a useq MDA sequence file (YAML or JSON) as one run.

On the simulated microscope unless --mm CONFIG.cfg names a Micro-Manager configuration. Frames
go to --output (*.ome.zarr, *.ome.tif or *.h5; by default an OME-Zarr in the data directory's
runs folder), the documents to the catalog, and a progress line (frames done/total, ETA, how
late the schedule runs) to the terminal's standard error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from skyscope import _paths
from skyscope.broker import Catalog
from skyscope.engine import Engine, RunResult
from skyscope.plans import mda

from ._progress_line import ProgressLine
from ._runs import add_catalog_option

_SUFFIXES = (".yaml", ".yml", ".json")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``skyscope run``."""
    parser = subparsers.add_parser(
        "run",
        help="acquire a useq MDA sequence (YAML/JSON file) on the microscope",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("sequence", type=Path, metavar="SEQUENCE", help="a .yaml or .json file")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        metavar="PATH",
        help="where the frames go: *.ome.zarr, *.ome.tif or *.h5 (default: an OME-Zarr in "
        "the data directory's runs folder)",
    )
    parser.add_argument(
        "--mm",
        type=Path,
        default=None,
        metavar="CONFIG.cfg",
        help="run on the Micro-Manager microscope of this configuration file (pymmcore-plus)",
    )
    parser.add_argument("--seed", type=int, default=0, help="the simulated sample (default 0)")
    parser.add_argument(
        "--frame-size", type=int, default=512, metavar="N", help="simulated frames N x N"
    )
    parser.add_argument(
        "--md",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="add to the run's metadata (VALUE as JSON if it parses, else text)",
    )
    add_catalog_option(parser)
    parser.set_defaults(handler=run_sequence, command="run")


def run_sequence(args: argparse.Namespace) -> int:
    """Load the sequence, acquire it, say where everything went."""
    try:
        sequence = load_sequence(args.sequence)
        md = dict(_key_value(item) for item in args.md)
    except ValueError as error:
        print(f"skyscope run: error: {error}", file=sys.stderr)
        return 2
    output = args.output or _default_output(args.sequence)
    md.setdefault("sequence_file", str(args.sequence))
    catalog_path = args.catalog or _paths.catalog_path()
    result = asyncio.run(_acquire(sequence, output, md, catalog_path, args))
    return _report(result, output, catalog_path)


def load_sequence(path: Path) -> Any:
    """The ``useq.MDASequence`` a YAML or JSON file holds; ``ValueError`` saying what is wrong."""
    import useq

    if path.suffix.lower() not in _SUFFIXES:
        raise ValueError(f"{path}: a sequence file ends in {', '.join(_SUFFIXES)}")
    try:
        return useq.MDASequence.from_file(path)
    except OSError as error:
        raise ValueError(f"cannot read {path}: {error.strerror or error}") from error
    except Exception as error:  # YAML, JSON and pydantic validation errors alike
        raise ValueError(f"{path} is not a useq MDASequence: {error}") from error


def _key_value(item: str) -> tuple[str, Any]:
    key, sep, text = item.partition("=")
    if not sep or not key:
        raise ValueError(f"--md takes KEY=VALUE, not {item!r}")
    try:
        return key, json.loads(text)
    except json.JSONDecodeError:
        return key, text


def _default_output(sequence_file: Path) -> Path:
    stem = sequence_file.name.split(".")[0] or "mda"
    return _paths.runs_dir() / f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}.ome.zarr"


async def _acquire(
    sequence: Any, output: Path, md: dict[str, Any], catalog_path: Path, args: argparse.Namespace
) -> RunResult:
    output.parent.mkdir(parents=True, exist_ok=True)
    scope = await _microscope(args)
    engine = Engine(handle_sigint=False, raise_on_fail=False)
    try:
        with Catalog(catalog_path) as catalog:
            engine.subscribe(catalog)
            engine.subscribe(ProgressLine(sys.stderr))
            return await engine(mda(sequence, scope, output=output, md=md))
    finally:
        await _close(scope)


async def _microscope(args: argparse.Namespace) -> Any:
    """The microscope to drive: the simulated one, or the Micro-Manager one of ``--mm``."""
    if args.mm is not None:
        from skyscope.devices.mm import build_microscope

        return await build_microscope(args.mm)
    from skyscope.devices.sim import Microscope, SensorSpec

    size = args.frame_size
    scope = Microscope(seed=args.seed, sensor=SensorSpec(shape=(size, size)))
    await scope.connect()
    return scope


async def _close(scope: Any) -> None:
    close = getattr(scope, "close", None)
    if close is not None:
        await close()


def _written(output: Path) -> list[Path]:
    """The output, or the files an OME-TIFF output became (one per position)."""
    if output.exists():
        return [output]
    name = output.name
    suffix = next((s for s in (".ome.tiff", ".ome.tif") if name.lower().endswith(s)), "")
    stem = name[: len(name) - len(suffix)]
    return sorted(output.parent.glob(f"{stem}_p*{suffix}")) if suffix else [output]


def _report(result: RunResult, output: Path, catalog_path: Path) -> int:
    """Print the outcome; 0 when the run succeeded."""
    uid = result.run_start_uids[0][:8] if result.run_start_uids else "-"
    frames = result.plan_result if isinstance(result.plan_result, int) else "?"
    print(f"run {uid}: {result.exit_status}, {frames} frames")
    for path in _written(output):
        print(f"  frames:  {path}")
    print(f"  catalog: {catalog_path}  (skyscope show {uid} --catalog {catalog_path})")
    if result.exit_status != "success":
        print(f"skyscope run: the run ended {result.exit_status}: {result.reason}", file=sys.stderr)
        return 1
    return 0

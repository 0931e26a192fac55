"""``skyscope export RUN --format FORMAT --to DIR``: write a stored run's documents to files.

``csv``, ``hdf5``, ``jsonl`` and ``msgpack`` are the catalog's own exports; ``ome-zarr`` and
``ome-tiff`` write a microscopy run (an MDA, or any run with 2-D frames) as one image per
stage position with axes t, c, z, y, x, through ``skyscope.exporters``' OME exporters, reading
the frames from wherever the run's writers put them.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from skyscope.broker import CatalogError, Run, export_formats

from ._runs import add_catalog_option, find_run, open_for_reading, reporting_errors

if TYPE_CHECKING:
    from skyscope.exporters import OMEExporter

OME_FORMATS = ("ome-zarr", "ome-tiff")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``skyscope export``."""
    parser = subparsers.add_parser(
        "export", help="export a stored run to files", description=__doc__.splitlines()[0]
    )
    parser.add_argument("run", metavar="RUN", help="uid, uid prefix, scan id, or -1 for the newest")
    parser.add_argument(
        "--format", required=True, choices=[*export_formats(), *OME_FORMATS], dest="fmt"
    )
    parser.add_argument("--to", required=True, type=Path, metavar="DIR", help="output folder")
    add_catalog_option(parser)
    parser.set_defaults(handler=reporting_errors(_export), command="export")


def _export(args: argparse.Namespace) -> int:
    """Export the run and list the files written."""
    with open_for_reading(args.catalog) as catalog:
        run = find_run(catalog, args.run)
        paths = _export_ome(run, args.fmt, args.to) if args.fmt in OME_FORMATS else None
        for path in paths if paths is not None else run.export(args.fmt, args.to):
            print(path)
    return 0


def _export_ome(run: Run, fmt: str, folder: Path) -> list[Path]:
    """Write ``run`` as one OME-Zarr store or OME-TIFF file in ``folder``."""
    exporter = _ome_exporter(fmt, folder)
    try:
        paths = exporter.export(run.documents())
    except (OSError, ValueError, KeyError) as error:
        raise CatalogError(f"exporting run {run.uid[:8]} as {fmt} failed: {error}") from error
    if not paths:
        raise CatalogError(f"run {run.uid[:8]} has no frames to write as {fmt}")
    return paths


def _ome_exporter(fmt: str, folder: Path) -> OMEExporter:
    # imported here: the exporters bring the image libraries with them
    from skyscope.exporters import OMETiffExporter, OMEZarrExporter

    folder.mkdir(parents=True, exist_ok=True)
    return OMEZarrExporter(folder) if fmt == "ome-zarr" else OMETiffExporter(folder)

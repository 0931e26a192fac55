"""``skyscope export RUN --format FORMAT --to DIR``: write a stored run's documents to files."""

from __future__ import annotations

import argparse
from pathlib import Path

from skyscope.broker import export_formats

from ._runs import add_catalog_option, find_run, open_for_reading, reporting_errors


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``skyscope export``."""
    parser = subparsers.add_parser(
        "export", help="export a stored run to files", description=__doc__.splitlines()[0]
    )
    parser.add_argument("run", metavar="RUN", help="uid, uid prefix, scan id, or -1 for the newest")
    parser.add_argument("--format", required=True, choices=export_formats(), dest="fmt")
    parser.add_argument("--to", required=True, type=Path, metavar="DIR", help="output folder")
    add_catalog_option(parser)
    parser.set_defaults(handler=reporting_errors(_export), command="export")


def _export(args: argparse.Namespace) -> int:
    """Export the run and list the files written."""
    with open_for_reading(args.catalog) as catalog:
        run = find_run(catalog, args.run)
        for path in run.export(args.fmt, args.to):
            print(path)
    return 0

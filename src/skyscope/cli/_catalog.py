"""``skyscope catalog check|recover``: is the catalog whole, and store what dead writers left.

``check`` runs the database's integrity check (SQLite's own; on PostgreSQL, that every table is
there) and counts runs by status and journals waiting to be
replayed (exit status 1 when the file is damaged). ``recover`` replays those journals: every
document a killed acquisition acknowledged is stored and its run marked interrupted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from skyscope.broker import Catalog, CatalogDamaged

from ._runs import add_catalog_option, reporting_errors


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``skyscope catalog check`` and ``skyscope catalog recover``."""
    parser = subparsers.add_parser(
        "catalog", help="check the catalog or recover runs", description=__doc__.splitlines()[0]
    )
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="check integrity; count runs and waiting journals")
    add_catalog_option(check)
    check.set_defaults(handler=reporting_errors(_check), command="catalog check")
    recover = actions.add_parser("recover", help="replay the journals of writers that died")
    add_catalog_option(recover)
    recover.set_defaults(handler=reporting_errors(_recover), command="catalog recover")


def _check(args: argparse.Namespace) -> int:
    """Print the catalog's health; 1 if it is damaged."""
    try:
        catalog = Catalog(args.catalog, readonly=True)
    except CatalogDamaged as error:
        print(f"DAMAGED: {error}")
        return 1
    with catalog:
        health = catalog.check()
    print("\n".join(health.describe()))
    return 0 if health.ok else 1


def _recover(args: argparse.Namespace) -> int:
    """Replay waiting journals and say what was stored."""
    if isinstance(args.catalog, Path) and not args.catalog.is_file():
        print(f"skyscope catalog recover: error: no catalog at {args.catalog}", file=sys.stderr)
        return 1
    with Catalog(args.catalog, recover=False) as catalog:
        report = catalog.recover()
    print(report.describe())
    for uid in report.interrupted:
        print(f"  run {uid}: interrupted (no stop document)")
    return 0

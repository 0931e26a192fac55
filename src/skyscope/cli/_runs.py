"""``skyscope runs``: the catalog's runs as a table, newest first, with filters.

Also the helpers the catalog commands share: the ``--catalog`` option, opening the catalog,
resolving a run argument (uid, uid prefix, scan id or -N) and reporting catalog errors.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from skyscope.broker import (
    Catalog,
    CatalogError,
    FullText,
    Key,
    Query,
    Run,
    ScanID,
    TimeRange,
)

Handler = Callable[[argparse.Namespace], int]


def catalog_location(text: str) -> str | Path:
    """A ``--catalog`` value: a ``postgresql://`` URL as given, anything else a file path."""
    return text if text.startswith(("postgresql://", "postgres://")) else Path(text)


def add_catalog_option(parser: argparse.ArgumentParser) -> None:
    """``--catalog PATH|URL``: use this catalog file (or PostgreSQL database) instead."""
    parser.add_argument(
        "--catalog",
        type=catalog_location,
        default=None,
        metavar="PATH|URL",
        help="catalog file or postgresql://user@host:port/db "
        "(default: catalog.sqlite in the skyscope data directory)",
    )


def open_for_reading(path: str | Path | None) -> Catalog:
    """Open a catalog read-only (never creating one), noting journals that wait for recovery."""
    catalog = Catalog(path, readonly=True)
    waiting = catalog.check_journals()
    if waiting:
        print(
            f"note: {len(waiting)} runs of writers that died wait in journals; "
            f"`skyscope catalog recover --catalog {catalog.location}` stores them",
            file=sys.stderr,
        )
    return catalog


def reporting_errors(handler: Handler) -> Handler:
    """Wrap a command so catalog errors print as one clear line and exit with status 1."""

    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except CatalogError as error:
            print(f"skyscope {args.command}: error: {error}", file=sys.stderr)
            return 1

    return run


def when(epoch: object) -> str:
    """Local ``YYYY-MM-DD HH:MM:SS`` of epoch seconds ('' if not a number)."""
    if not isinstance(epoch, int | float) or isinstance(epoch, bool):
        return ""
    return dt.datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M:%S")


def parse_run_id(text: str) -> int | str:
    """``-1`` or ``42`` become ints (index from newest, scan id); anything else is a uid."""
    try:
        return int(text)
    except ValueError:
        return text


def find_run(catalog: Catalog, text: str) -> Run:
    """The run a command-line argument names."""
    return catalog[parse_run_id(text)]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``skyscope runs``."""
    parser = subparsers.add_parser(
        "runs", help="list runs in the catalog, newest first", description=__doc__.splitlines()[0]
    )
    add_catalog_option(parser)
    parser.add_argument("--sample", help="only runs with this sample")
    parser.add_argument("--plan", help="only runs of this plan (plan_name)")
    parser.add_argument("--since", help="only runs started at or after this time (ISO 8601)")
    parser.add_argument("--until", help="only runs started before this time (ISO 8601)")
    parser.add_argument("--scan-id", type=int, help="only runs with this scan id")
    parser.add_argument("--text", help="full-text search of the start metadata (FTS5 syntax)")
    parser.add_argument(
        "--key",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="only runs whose metadata KEY equals VALUE (a JSON number/bool/null or text)",
    )
    parser.add_argument("--limit", type=int, default=20, help="at most this many runs (0: all)")
    parser.set_defaults(handler=reporting_errors(_list_runs), command="runs")


def _filters(args: argparse.Namespace) -> list[Query]:
    """The queries the options ask for."""
    queries: list[Query] = []
    if args.sample is not None:
        queries.append(Key("sample") == args.sample)
    if args.plan is not None:
        queries.append(Key("plan_name") == args.plan)
    if args.since is not None or args.until is not None:
        queries.append(TimeRange(args.since, args.until))
    if args.scan_id is not None:
        queries.append(ScanID(args.scan_id))
    if args.text is not None:
        queries.append(FullText(args.text))
    queries.extend(_key_filter(item) for item in args.key)
    return queries


def _key_filter(item: str) -> Query:
    """``KEY=VALUE`` as ``Key(KEY) == VALUE`` (VALUE as JSON if it parses as a scalar)."""
    key, sep, text = item.partition("=")
    if not sep or not key:
        raise CatalogError(f"--key takes KEY=VALUE, not {item!r}")
    value: object
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = text
    if not (value is None or isinstance(value, str | int | float | bool)):
        value = text
    return Key(key) == value


def _list_runs(args: argparse.Namespace) -> int:
    """Print the table."""
    with open_for_reading(args.catalog) as catalog:
        view = catalog
        for query in _filters(args):
            view = view.search(query)
        runs = view.head(args.limit) if args.limit > 0 else list(view)
        total = len(view)
        table = Table(title=f"{len(runs)} of {total} runs in {catalog.location}")
        for column in ("scan", "uid", "start", "plan", "sample", "status", "events"):
            table.add_column(column, justify="right" if column in ("scan", "events") else "left")
        for run in runs:
            table.add_row(*_row(run))
        Console(width=120).print(table)
    return 0


def _row(run: Run) -> tuple[str, ...]:
    """One table row."""
    start = run.start
    return (
        str(start.get("scan_id", "")),
        run.uid[:8],
        when(start.get("time")),
        str(start.get("plan_name", "")),
        str(start.get("sample", "")),
        run.status,
        str(run.num_events),
    )

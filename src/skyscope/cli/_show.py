"""``skyscope show RUN``: one run's metadata, streams, data keys and shapes."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.table import Table

from skyscope.broker import Run

from ._runs import add_catalog_option, find_run, open_for_reading, reporting_errors, when

# Start-document keys shown in the header rather than in the metadata table.
_HEADER_KEYS = ("uid", "time", "scan_id", "plan_name")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``skyscope show``."""
    parser = subparsers.add_parser(
        "show",
        help="show one run: metadata, streams, data keys",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument("run", metavar="RUN", help="uid, uid prefix, scan id, or -1 for the newest")
    add_catalog_option(parser)
    parser.set_defaults(handler=reporting_errors(_show), command="show")


def _show(args: argparse.Namespace) -> int:
    """Print the run."""
    console = Console(width=120)
    with open_for_reading(args.catalog) as catalog:
        run = find_run(catalog, args.run)
        console.print(_header(run))
        console.print(_metadata_table(run.start))
        for name in run.stream_names:
            console.print(_stream_table(run, name))
    return 0


def _header(run: Run) -> str:
    """Identity, timing and status of the run."""
    start, stop = run.start, run.stop
    lines = [
        f"[bold]Run {run.uid}[/bold]",
        f"  scan_id {start.get('scan_id', '-')}   plan {start.get('plan_name', '-')}   "
        f"status {run.status}   events {run.num_events}",
        f"  started {when(start.get('time'))}",
    ]
    if stop is not None:
        lines.append(f"  stopped {when(stop.get('time'))}   reason {stop.get('reason') or '-'}")
    return "\n".join(lines)


def _metadata_table(start: dict[str, Any]) -> Table:
    """The start document's other keys."""
    table = Table(title="metadata", show_header=False)
    table.add_column("key")
    table.add_column("value")
    for key in sorted(k for k in start if k not in _HEADER_KEYS):
        table.add_row(key, repr(start[key]))
    return table


def _stream_table(run: Run, name: str) -> Table:
    """A stream's data keys with their dtype, shape (events first) and source."""
    stream = run[name]
    rows = len(stream)
    files = {r["data_key"]: f"{r['mimetype']} {r['uri']}" for r in run.stream_resources}
    table = Table(title=f"stream {name!r}: {rows} events")
    for column in ("data key", "dtype", "shape", "source"):
        table.add_column(column)
    for key, data_key in stream.data_keys.items():
        shape = (rows, *(data_key.get("shape") or []))
        source = files.get(key, data_key.get("source", ""))
        table.add_row(
            key, str(data_key.get("dtype_numpy") or data_key.get("dtype")), str(shape), source
        )
    return table

"""``skyscope ingest nats://… --catalog PATH``: store the documents instruments publish on a bus.

A durable JetStream consumer feeds the catalog and acknowledges each message only after the
catalog committed it, so the command can be killed and restarted at any point: nothing is lost
(unacknowledged messages come again) and nothing is stored twice (ingest is idempotent on uid).
Runs until interrupted (Ctrl-C or SIGTERM), printing a summary.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from skyscope.broker import BusIngest, Catalog, CatalogError, IngestCounts

DEFAULT_DURABLE = "skyscope-ingest"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``skyscope ingest``."""
    parser = subparsers.add_parser(
        "ingest",
        help="store documents from a NATS JetStream bus in a catalog",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument(
        "url", metavar="URL", type=_bus_url, help="the NATS server, e.g. nats://host:4222"
    )
    parser.add_argument(
        "--catalog",
        default=None,
        metavar="PATH_OR_URL",
        help="catalog file or URL (default: catalog.sqlite in the skyscope data directory)",
    )
    parser.add_argument("--stream", default="SKYSCOPE", help="JetStream stream (default SKYSCOPE)")
    parser.add_argument(
        "--durable",
        default=DEFAULT_DURABLE,
        help=f"durable consumer: restarted with it, ingest resumes (default {DEFAULT_DURABLE})",
    )
    parser.add_argument("--batch", type=int, default=256, help="messages per commit (256)")
    parser.add_argument(
        "--ack-wait",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="redeliver a message not acknowledged within this time (30)",
    )
    parser.set_defaults(handler=_ingest, command="ingest")


def _bus_url(text: str) -> str:
    """Refuse anything but a NATS URL before opening the catalog."""
    if not text.startswith(("nats://", "tls://")):
        raise argparse.ArgumentTypeError(f"a bus URL looks like nats://host:4222, not {text!r}")
    return text


def _ingest(args: argparse.Namespace) -> int:
    """Ingest until interrupted; 1 with a clear line when the catalog or bus is unusable."""
    try:
        counts = asyncio.run(_run(args))
    except (CatalogError, ValueError) as error:
        print(f"skyscope ingest: {error}", file=sys.stderr)
        return 1
    print(
        f"ingested {counts.committed} documents ({counts.redelivered} redelivered, "
        f"{counts.deferred} deferred for a missing parent, {counts.refused} refused, "
        f"{counts.failed_commits} batches the catalog could not commit yet)",
        file=sys.stderr,
    )
    return 0


async def _run(args: argparse.Namespace) -> IngestCounts:
    """Open the catalog, then consume until SIGINT or SIGTERM."""
    catalog = await asyncio.to_thread(Catalog, args.catalog)
    try:
        ingest = BusIngest(
            args.url,
            catalog,
            stream=args.stream,
            durable=args.durable,
            batch=args.batch,
            ack_wait=args.ack_wait,
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        print(
            f"ingesting {args.url} {args.stream} into {catalog.location}",
            file=sys.stderr,
            flush=True,
        )
        return await ingest.run(stop)
    finally:
        await asyncio.to_thread(catalog.close)

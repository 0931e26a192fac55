"""Build the ``skyscope`` argument parser from the command modules and dispatch to one.

Each private module ``skyscope.cli._<command>`` defines ``register(subparsers)``, which adds its
sub-command and sets ``handler`` (a callable taking the parsed namespace and returning an exit
code) as the parser default. Discovery keeps this module free of the commands' imports, so a
command that needs an optional extra costs nothing to the others.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Callable, Sequence
from typing import cast

from skyscope._version import __version__

Handler = Callable[[argparse.Namespace], int]


def _is_command_module(name: str) -> bool:
    """Command modules are private (``_name``) but neither dunder nor this module."""
    return name.startswith("_") and not name.startswith("__") and name != "_main"


def build_parser() -> argparse.ArgumentParser:
    """Return the parser with every discovered sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="skyscope",
        description="Run experiments on a microscope the Bluesky way: plans, documents, catalog.",
        epilog="Start with `skyscope demo`; `skyscope COMMAND --help` tells more.",
    )
    parser.add_argument("--version", action="version", version=f"skyscope {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    package = importlib.import_module(__package__ or "skyscope.cli")
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if not _is_command_module(info.name):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``skyscope`` command line and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = cast("Handler | None", getattr(args, "handler", None))
    if handler is None:
        parser.print_help()
        return 2
    try:
        return handler(args)
    except KeyboardInterrupt:
        command = getattr(args, "command", None) or "command"
        print(
            f"skyscope {command}: interrupted (Ctrl-C); a run under way was aborted and what it "
            "acquired is kept",
            file=sys.stderr,
        )
        return 130

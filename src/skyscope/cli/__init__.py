"""The ``skyscope`` command line: one module per command, found by discovery."""

from ._main import main

__all__ = ["main"]

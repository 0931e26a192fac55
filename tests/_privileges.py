"""Run a child so that file permissions apply to it, even as root (CI runs as root)."""

from __future__ import annotations

import os


def unprivileged(command: list[str]) -> list[str]:
    """``command`` run so that file permissions apply to it, even as root.

    Root keeps its own identity (so the checkout and the interpreter stay readable wherever they
    live) but loses the capabilities that let it override file permissions.
    """
    if os.geteuid() != 0:
        return command
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *command]

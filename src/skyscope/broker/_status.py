"""What state a run is in: finished (its exit status), still acquiring, or incomplete.

A run without a stop document is *acquiring* while the process that writes it is alive,
*interrupted* once that process died and its journal was replayed, and *incomplete* when its
documents were ingested after the fact without a stop or its writer closed without one: shown,
readable, never lost.
"""

from __future__ import annotations

import os
import socket
import sys

ACQUIRING = "acquiring"
INCOMPLETE = "incomplete"
INTERRUPTED = "interrupted"


def run_status(
    exit_status: str | None,
    stopped: bool,
    host: str | None,
    pid: int | None,
    interrupted: str | None = None,
) -> str:
    """The run's status word: its exit status, or why it has none.

    ``acquiring``, ``interrupted`` (its writer died; recovered from its journal) or
    ``incomplete``.
    """
    if stopped:
        return exit_status or "unknown"
    if interrupted:
        return INTERRUPTED
    if pid is None:
        return INCOMPLETE
    if host != socket.gethostname():
        return ACQUIRING  # another machine's writer: no way to look at its processes
    return ACQUIRING if process_alive(pid) else INCOMPLETE


def process_alive(pid: int) -> bool:
    """Is a process with this id running on this machine?"""
    if pid == os.getpid():
        return True
    if sys.platform == "win32":
        return True  # os.kill(pid, 0) would terminate it on Windows
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

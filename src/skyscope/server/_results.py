"""What a queue item's run came to, as bluesky-queueserver records it in the history."""

from __future__ import annotations

import time
import traceback
from typing import Any

from skyscope.engine import RunResult

EXIT_STATUSES = ("completed", "stopped", "aborted", "halted", "failed", "unknown")


def item_result(
    exit_status: str,
    *,
    run_uids: tuple[str, ...] | list[str] = (),
    time_start: float,
    msg: str = "",
    error: BaseException | None = None,
) -> dict[str, Any]:
    """The history's ``result``: exit status, run uids, start/stop times, message, traceback."""
    return {
        "exit_status": exit_status,
        "run_uids": list(run_uids),
        "scan_ids": [],
        "time_start": time_start,
        "time_stop": time.time(),
        "msg": msg,
        "traceback": "".join(traceback.format_exception(error)) if error is not None else "",
    }


def exit_status(result: RunResult, request: str | None) -> str:
    """The queue's word for how the engine ended a plan, given the last control request."""
    if result.exit_status == "success":
        return "stopped" if request == "stop" else "completed"
    if result.exit_status == "abort":
        return "halted" if request == "halt" else "aborted"
    if result.exit_status == "fail":
        return "failed"
    return "unknown"

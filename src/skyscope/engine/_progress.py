"""Progress of moves and acquisitions: updates from watchable Statuses, and a terminal bar.

Statuses that can report progress have ``watch(callback)`` (bluesky's ``Watcher`` protocol);
the engine connects each one it sees to its ``progress`` callback as a ``ProgressUpdate``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn


@dataclass(frozen=True, slots=True)
class ProgressUpdate:
    """One progress report of one operation (fields as bluesky's ``Watcher`` passes them)."""

    name: str
    current: Any = None
    initial: Any = None
    target: Any = None
    unit: str | None = None
    precision: int | None = None
    fraction: float | None = None
    time_elapsed: float | None = None
    time_remaining: float | None = None


ProgressCallback = Callable[[ProgressUpdate], None]


def watcher_for(name: str, callback: ProgressCallback) -> Callable[..., None]:
    """Return a bluesky-style watcher that turns keyword updates into ``ProgressUpdate``."""

    def watcher(**update: Any) -> None:
        update.setdefault("name", name)
        fields = {k: v for k, v in update.items() if k in ProgressUpdate.__dataclass_fields__}
        callback(ProgressUpdate(**fields))

    return watcher


class RichProgress:
    """A terminal progress bar per operation: ``Engine(progress=RichProgress())``.

    Use as a context manager (or call ``close``) so the bars are cleaned up.
    """

    def __init__(self, **progress_kwargs: Any) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[detail]}"),
            TimeRemainingColumn(),
            **progress_kwargs,
        )
        self._tasks: dict[str, TaskID] = {}
        self._started = False

    def __call__(self, update: ProgressUpdate) -> None:
        """Show ``update`` (the engine calls this)."""
        if not self._started:
            self._progress.start()
            self._started = True
        task = self._tasks.get(update.name)
        if task is None:
            task = self._tasks[update.name] = self._progress.add_task(
                update.name, total=1.0, detail=""
            )
        # ``fraction`` is the fraction of the way done (ophyd-async's and skyscope's meaning)
        self._progress.update(task, completed=update.fraction, detail=_detail(update))

    def close(self) -> None:
        """Stop drawing."""
        if self._started:
            self._progress.stop()
            self._started = False

    def __enter__(self) -> RichProgress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _detail(update: ProgressUpdate) -> str:
    if update.current is None:
        return ""
    unit = f" {update.unit}" if update.unit else ""
    precision = update.precision if update.precision is not None else 3
    try:
        return f"{update.current:.{precision}f}{unit} → {update.target:.{precision}f}{unit}"
    except (TypeError, ValueError):
        return f"{update.current}{unit} → {update.target}{unit}"

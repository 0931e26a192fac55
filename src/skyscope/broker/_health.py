"""What ``skyscope catalog check`` reports: the file's integrity and what waits to be done."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ._errors import CatalogDamaged
from ._status import INCOMPLETE, INTERRUPTED, run_status
from ._store import Store


@dataclass
class Health:
    """A catalog's state: problems found (none when healthy) and counts worth knowing."""

    path: Path | str
    """The catalog's file (or server database URL)."""
    problems: list[str] = field(default_factory=list)
    runs: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    pending_journals: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No damage found (pending journals and unfinished runs are not damage)."""
        return not self.problems

    def describe(self) -> list[str]:
        """Lines for a person."""
        lines = [f"catalog {self.path}: " + ("ok" if self.ok else "DAMAGED")]
        lines += [f"  problem: {problem}" for problem in self.problems]
        if not self.ok:
            lines.append("  restore it from a backup, or copy what reads into a new catalog")
            return lines
        statuses = ", ".join(f"{n} {s}" for s, n in sorted(self.by_status.items()))
        lines.append(f"  {self.runs} runs" + (f" ({statuses})" if statuses else ""))
        if self.pending_journals:
            lines.append(
                f"  {len(self.pending_journals)} journals of writers that died wait to be "
                "replayed: `skyscope catalog recover` (or any writable open) replays them"
            )
        if self.by_status.get(INCOMPLETE) or self.by_status.get(INTERRUPTED):
            lines.append("  incomplete and interrupted runs are kept and readable")
        return lines


def check_health(store: Store, pending: list[Path]) -> Health:
    """Run the database's integrity check and count the runs by status."""
    where = store.backend.path or store.location
    health = Health(where, pending_journals=pending)
    try:
        health.problems.extend(store.integrity_problems())
    except CatalogDamaged as error:
        health.problems.append(str(error))
    if health.problems:
        return health
    rows = store.query(
        "SELECT exit_status, stop_uid IS NOT NULL, writer_host, writer_pid, interrupted FROM runs",
        wait=False,
    )
    for exit_status, stopped, host, pid, interrupted in rows:
        status = run_status(exit_status, bool(stopped), host, pid, interrupted)
        health.by_status[status] = health.by_status.get(status, 0) + 1
    health.runs = len(rows)
    return health

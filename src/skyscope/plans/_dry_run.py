"""Find out what a plan would do, without touching hardware: the engine's own dry run.

The plan runs through the engine's plan loop with a simulated instrument: every command
answers with its declared dry-run response, so moves arrive, statuses are done, ``locate``
says where the plan last sent an axis, and nothing reaches a device. The summary lists runs,
events, frames, moves per axis with their range, a lower bound of the duration, and every
target outside the limits given.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..engine import DEFAULT_MAX_MESSAGES, DoneStatus, DryRunSummary, Engine, Plan

__all__ = ["DoneStatus", "DryRunSummary", "dry_run"]


async def dry_run(
    plan: Plan,
    *,
    limits: Mapping[Any, tuple[float, float]] | None = None,
    positions: Mapping[Any, Any] | None = None,
    readings: Mapping[Any, Mapping[str, Any]] | None = None,
    max_messages: int = DEFAULT_MAX_MESSAGES,
    engine: Engine | None = None,
) -> DryRunSummary:
    """Return what ``plan`` would do; ``engine`` (a fresh one by default) supplies the commands.

    ``limits`` map axes (or their names) to ``(low, high)``; ``positions`` say where axes
    start; ``readings`` are what reads of those devices answer (nothing is measured). A plan
    that would fail (a bad argument, an illegal message sequence) raises here.
    """
    runner = engine if engine is not None else Engine(md={}, handle_sigint=False)
    return await runner.dry_run(
        plan, limits=limits, positions=positions, readings=readings, max_messages=max_messages
    )

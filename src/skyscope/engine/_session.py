"""Everything one plan execution carries between messages, across pauses and resumes."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..documents import StreamComposer
from ._awaiting import Action
from ._bundler import RunBundler
from ._driver import PlanDriver
from ._errors import IllegalMessageSequence
from ._rewind import Rewind
from ._state import ExitStatus
from ._unwaited import UnwaitedFailures

if TYPE_CHECKING:
    from ._simulation import Simulation


class Interrupted(Exception):
    """Raised inside a waiting command when a control request (pause, abort…) arrives."""


@dataclass(eq=False)
class Session:
    """The state of one plan execution."""

    driver: PlanDriver
    call_md: Mapping[str, Any]
    loop: asyncio.AbstractEventLoop
    response: Any = None
    exc: BaseException | None = None
    interrupt: asyncio.Future[None] = field(init=False)
    rewind: Rewind = field(default_factory=Rewind)
    runs: dict[Any, RunBundler] = field(default_factory=dict)
    run_uids: list[str] = field(default_factory=list)
    groups: dict[Any, list[tuple[Any, Any, Action]]] = field(default_factory=dict)
    seen: dict[int, Any] = field(default_factory=dict)
    moved: dict[int, Any] = field(default_factory=dict)
    claimed: set[int] = field(default_factory=set)
    """Ids of the devices this plan holds (the claim check's fast path; see ``_claims``)."""
    staged: dict[int, Any] = field(default_factory=dict)
    kicked_off: dict[int, Any] = field(default_factory=dict)  # flyers not collected yet
    completed: set[int] = field(default_factory=set)  # ids of those told to complete
    plan_tokens: list[int] = field(default_factory=list)
    exit_override: tuple[ExitStatus, str] | None = None
    interruptions: dict[str, StreamComposer] = field(default_factory=dict)
    """Each open run's interruptions stream, by the run's uid (``record_interruptions``)."""
    unwaited: UnwaitedFailures = field(default_factory=UnwaitedFailures)
    """Failed statuses the plan has not waited for: raised into its next step."""
    simulation: Simulation | None = None
    """Set in a dry run: commands answer with their dry-run responses and tally here."""
    done: asyncio.Future[Any] = field(init=False)

    def __post_init__(self) -> None:
        self.interrupt = self.loop.create_future()
        self.done = self.loop.create_future()

    def run(self, key: Any) -> RunBundler:
        """Return the open run that ``msg.run == key`` addresses."""
        bundler = self.runs.get(key)
        if bundler is None:
            which = "" if key is None else f" {key!r}"
            raise IllegalMessageSequence(f"no open run{which}: send 'open_run' first")
        return bundler

    def start_replay(self) -> None:
        """Rewind to the last checkpoint; an open event bundle the replay re-creates is dropped.

        One the replay does not re-create (its ``create`` was not remembered) stays open, so
        the plan's next ``save`` completes it.
        """
        if self.rewind.replays_bundle:
            for bundler in self.runs.values():
                bundler.discard_bundle()
        self.rewind.start_replay()

    def rearm_interrupt(self) -> None:
        """Get a fresh interrupt future once a control request has been acted on."""
        if self.interrupt.done():
            self.interrupt = self.loop.create_future()

    def remember(self, registry: dict[int, Any], obj: Any) -> None:
        """Add ``obj`` to one of the by-identity registries (seen, moved, staged…)."""
        registry.setdefault(id(obj), obj)

"""A dry run's simulated world: each command's dry-run response, and the tally they keep.

The engine runs a dry run through its own plan loop; only the handlers differ. Each command
declares a dry-run response in the registry; those here answer as a healthy instrument would
(moves arrive, statuses are done, ``locate`` says where the plan last sent an axis) without
calling a single device method, and note what the run would do: runs, events, frames, moves
per axis, the time it would take at least, and every target outside a known limit.
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from itertools import count
from typing import TYPE_CHECKING, Any

from ._errors import IllegalMessageSequence
from ._msg import Msg
from ._waiting import seconds_to_sleep

if TYPE_CHECKING:
    from ._context import Context

DEFAULT_MAX_MESSAGES = 100_000
"""A dry run stops here rather than loop forever on an endless plan (``count(num=None)``)."""


class DryRunLimit(RuntimeError):
    """The plan sent more messages than the dry run's ``max_messages``."""


class DoneStatus:
    """A status that has already succeeded (bluesky's Status protocol): a simulated action."""

    done = True
    success = True

    def add_callback(self, callback: Callable[[Any], None]) -> None:
        """Call ``callback`` at once: there is nothing to wait for."""
        callback(self)

    def exception(self, timeout: float | None = 0.0) -> None:
        """There is no exception."""
        return

    def __await__(self) -> Any:
        return iter(())


@dataclass(frozen=True)
class AxisMoves:
    """How often the plan moves one axis, and the range of its targets."""

    moves: int
    low: float
    high: float


@dataclass(frozen=True)
class OutOfLimits:
    """A target the plan would send an axis to, outside that axis's limits."""

    axis: str
    target: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.axis} to {self.target}: outside its limits [{self.low}, {self.high}]"


@dataclass(frozen=True)
class DryRunSummary:
    """What a plan would do, found without touching hardware."""

    messages: tuple[Msg, ...]
    runs: int
    events: Mapping[str, int]
    """Events per stream."""
    frames: int
    """Triggers of detectors that have an exposure (cameras); a camera's own hardware burst
    (an MDA with a camera writing its file) is driven by waits, so its frames show as events."""
    triggers: int
    """Acquisitions of every detector."""
    moves: Mapping[str, AxisMoves]
    duration_s: float
    """At least this long: sleeps plus exposures (moves and waits on conditions not counted)."""
    out_of_limits: tuple[OutOfLimits, ...]
    unpredicted: tuple[str, ...]
    """What the estimate could not foresee (waits on conditions, commands with no dry run)."""

    @property
    def total_events(self) -> int:
        """Events in every stream."""
        return sum(self.events.values())


@dataclass
class Simulation:
    """The simulated instrument of one dry run and what the plan asked of it."""

    limits: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    """Known limits by axis name (a dry run reads none from the devices)."""
    positions: dict[str, Any] = field(default_factory=dict)
    """Where axes are, by name (the plan's moves update it)."""
    max_messages: int = DEFAULT_MAX_MESSAGES
    readings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """What ``read`` answers, by device name (empty for the rest: a dry run measures nothing)."""
    messages: list[Msg] = field(default_factory=list)
    runs: int = 0
    open_runs: set[Any] = field(default_factory=set)
    bundle: str | None = None
    events: dict[str, int] = field(default_factory=dict)
    frames: int = 0
    triggers: int = 0
    moves: dict[str, AxisMoves] = field(default_factory=dict)
    duration_s: float = 0.0
    out_of_limits: list[OutOfLimits] = field(default_factory=list)
    unpredicted: dict[str, int] = field(default_factory=dict)
    _uids: count[int] = field(default_factory=lambda: count(1))

    def record(self, msg: Msg) -> None:
        """Keep ``msg``; refuse to go on past ``max_messages``."""
        if len(self.messages) >= self.max_messages:
            raise DryRunLimit(
                f"dry_run: the plan sent more than {self.max_messages} messages; stopped there"
            )
        self.messages.append(msg)

    def move(self, obj: Any, value: Any) -> None:
        """Note a move of ``obj`` to ``value`` (each axis of a tuple target separately)."""
        for axis, target in _axes(obj, value):
            self.positions[axis] = target
            if not isinstance(target, int | float) or isinstance(target, bool):
                continue
            self.check(axis, float(target))
            known = self.moves.get(axis)
            low, high = (target, target) if known is None else (known.low, known.high)
            n = 0 if known is None else known.moves
            self.moves[axis] = AxisMoves(n + 1, min(low, target), max(high, target))
        self.positions[_name(obj)] = value

    def check(self, axis: str, target: float) -> None:
        """Note ``target`` if it is outside ``axis``'s known limits (each once)."""
        limits = self.limits.get(axis)
        if limits is None:
            return
        low, high = limits
        if not low <= target <= high:
            problem = OutOfLimits(axis, target, low, high)
            if problem not in self.out_of_limits:
                self.out_of_limits.append(problem)

    def where(self, obj: Any) -> Any:
        """Where ``obj`` is: where the plan last sent it, else a default of its kind."""
        name = _name(obj)
        if name in self.positions:
            return self.positions[name]
        return _default_position(type(obj))

    def note_unpredicted(self, what: str) -> None:
        """Count something whose duration or effect the dry run cannot know."""
        self.unpredicted[what] = self.unpredicted.get(what, 0) + 1

    def summary(self) -> DryRunSummary:
        """What the plan would do."""
        return DryRunSummary(
            messages=tuple(self.messages),
            runs=self.runs,
            events=dict(self.events),
            frames=self.frames,
            triggers=self.triggers,
            moves=dict(self.moves),
            duration_s=self.duration_s,
            out_of_limits=tuple(self.out_of_limits),
            unpredicted=tuple(f"{n} x {what}" for what, n in self.unpredicted.items()),
        )


def _name(obj: Any) -> str:
    return str(getattr(obj, "name", None) or repr(obj))


def _axes(obj: Any, value: Any) -> list[tuple[str, Any]]:
    """One (axis name, target) per moving axis: an XY target names the stage's x and y."""
    if not isinstance(value, tuple | list):
        return [(_name(obj), value)]
    children = [getattr(obj, letter, None) for letter in "xyz"[: len(value)]]
    names = [
        _name(child) if child is not None else f"{_name(obj)}[{i}]"
        for i, child in enumerate(children + [None] * (len(value) - len(children)))
    ]
    return list(zip(names, value, strict=True))


def _default_position(kind: type) -> Any:
    """A position of the type ``kind.locate`` declares (read from its annotation, not called)."""
    try:
        hints = typing.get_type_hints(getattr(kind, "locate"))  # noqa: B009
    except Exception:  # no locate, or an annotation that does not resolve
        return 0.0
    return _zero(hints.get("return"))


def _zero(kind: Any) -> Any:
    """A neutral value of type ``kind``: 0.0, "", False, or a tuple of them."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    wrapper = origin in (Awaitable, typing.Union, types.UnionType) or typing.is_typeddict(origin)
    if wrapper:
        return _zero(args[0]) if args else 0.0
    if origin is tuple:
        return tuple(_zero(arg) for arg in args if arg is not Ellipsis)
    if kind is str:
        return ""
    if kind is bool:
        return False
    return 0.0


def _sim(ctx: Context) -> Simulation:
    simulation = ctx.session.simulation
    if simulation is None:
        raise RuntimeError("a dry-run response was called outside a dry run")
    return simulation


# --- the dry-run responses -----------------------------------------------------------------


def dry_set(ctx: Context, msg: Msg) -> Any:
    """A move: arrives at once; its targets are tallied and checked against known limits."""
    if msg.args:
        _sim(ctx).move(msg.obj, msg.args[0])
    return DoneStatus()


def dry_check_value(ctx: Context, msg: Msg) -> Any:
    """A limits check: the target is checked against the known limits, never refused."""
    if msg.args and isinstance(msg.args[0], int | float):
        _sim(ctx).check(_name(msg.obj), float(msg.args[0]))


def dry_trigger(ctx: Context, msg: Msg) -> Any:
    """An acquisition: done at once; a camera's takes its (last set) exposure."""
    sim = _sim(ctx)
    sim.triggers += 1
    exposure = getattr(msg.obj, "exposure", None)
    if exposure is not None:
        sim.frames += 1
        seconds = sim.positions.get(_name(exposure))
        if isinstance(seconds, int | float) and math.isfinite(seconds) and seconds > 0:
            sim.duration_s += float(seconds)
    return DoneStatus()


def dry_done(ctx: Context, msg: Msg) -> Any:
    """An action that finishes at once (kickoff, complete, prepare)."""
    return DoneStatus()


def dry_nothing(ctx: Context, msg: Msg) -> Any:
    """An action with no simulated effect (stage, stop, configure, wait, monitor…)."""
    return None


def dry_read(ctx: Context, msg: Msg) -> Any:
    """A reading: the one given for this device, else empty (a dry run measures nothing)."""
    return dict(_sim(ctx).readings.get(_name(msg.obj), {}))


def dry_locate(ctx: Context, msg: Msg) -> Any:
    """Where the plan last sent each object (a default of its kind before any move)."""
    sim = _sim(ctx)
    found = [{"setpoint": sim.where(o), "readback": sim.where(o)} for o in (msg.obj, *msg.args)]
    return found[0] if msg.kwargs.get("squeeze", True) and len(found) == 1 else found


def dry_sleep(ctx: Context, msg: Msg) -> Any:
    """A sleep: adds to the estimated duration (refused as the engine refuses it)."""
    _sim(ctx).duration_s += seconds_to_sleep(msg.args[0] if msg.args else None)


def dry_wait(ctx: Context, msg: Msg) -> Any:
    """A group wait: nothing moved, so it is over at once (True, as a real wait that ended)."""
    return True


def dry_input(ctx: Context, msg: Msg) -> Any:
    """An operator's answer: unknown in a dry run, so noted and answered with an empty line."""
    _sim(ctx).note_unpredicted("input (an operator's answer)")
    return ""


def dry_wait_for(ctx: Context, msg: Msg) -> Any:
    """A wait on a condition: its duration is unknown; the callables are not called."""
    _sim(ctx).note_unpredicted(f"wait_for on {_name(msg.obj)}" if msg.obj else "wait_for")
    return [None] * len(msg.args[0]) if msg.args else []


def dry_open_run(ctx: Context, msg: Msg) -> Any:
    """A run opens: counted; returns a made-up uid."""
    sim = _sim(ctx)
    if msg.run in sim.open_runs:
        raise IllegalMessageSequence(f"a run keyed {msg.run!r} is already open: close it first")
    sim.open_runs.add(msg.run)
    sim.runs += 1
    return f"dry-run-{next(sim._uids)}"


def dry_close_run(ctx: Context, msg: Msg) -> Any:
    """A run closes."""
    sim = _sim(ctx)
    if msg.run not in sim.open_runs:
        raise IllegalMessageSequence("no open run: send 'open_run' first")
    sim.open_runs.discard(msg.run)
    return None


def dry_create(ctx: Context, msg: Msg) -> Any:
    """An event bundle opens."""
    sim = _sim(ctx)
    if msg.run not in sim.open_runs:
        raise IllegalMessageSequence("no open run: send 'open_run' first")
    sim.bundle = msg.kwargs.get("name", msg.args[0] if msg.args else "primary")


def dry_save(ctx: Context, msg: Msg) -> Any:
    """An event: counted in its stream."""
    sim = _sim(ctx)
    if sim.bundle is None:
        raise IllegalMessageSequence("'save' without 'create'")
    sim.events[sim.bundle] = sim.events.get(sim.bundle, 0) + 1
    sim.bundle = None


def dry_drop(ctx: Context, msg: Msg) -> Any:
    """A bundle dropped."""
    _sim(ctx).bundle = None


def dry_subscribe(ctx: Context, msg: Msg) -> Any:
    """A subscription: a made-up token (no document is emitted in a dry run)."""
    return next(_sim(ctx)._uids)


def dry_unknown(ctx: Context, msg: Msg) -> Any:
    """A command that declares no dry run: not executed, noted, answered None."""
    _sim(ctx).note_unpredicted(f"'{msg.command}' (no dry run declared)")

"""Where an MDA's z positions count from: useq's meaning, with the focus at the start for "no z".

useq adds a relative z plan to its position's z, and to 0 when the position has none (or when
there are no positions). A focus drive has no meaningful 0, so skyscope counts those z positions
from the focus where the run starts. Positions with a z and absolute z plans keep useq's z
exactly: the starting focus is added only where useq would have added 0.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..engine import Msg, Return
from ._scope_protocol import MicroscopeLike

if TYPE_CHECKING:
    from useq import MDAEvent, MDASequence

NO_POSITION = -1
"""The position index of the events of a sequence without stage positions."""


@dataclass(frozen=True)
class FocusOrigin:
    """The focus at the start, and the positions whose planned z counts from it."""

    floating: frozenset[int]
    """Position indices (``NO_POSITION`` without positions) whose z is relative to nothing."""
    z_um: float = 0.0
    """The focus where the run started (µm); meaningful when ``floating`` is not empty."""

    def shift(self, event: MDAEvent) -> float:
        """What to add to useq's ``z_pos`` of ``event`` to get the focus it is taken at."""
        return self.z_um if position_of(event) in self.floating else 0.0

    def at(self, z_um: float) -> FocusOrigin:
        """Return the origin with the focus located at ``z_um``."""
        return replace(self, z_um=z_um)


def position_of(event: MDAEvent) -> int:
    """The event's position index, ``NO_POSITION`` when the sequence has none."""
    return int(event.index.get("p", NO_POSITION))


def floating_positions(sequence: MDASequence) -> frozenset[int]:
    """Positions whose frames useq places relative to z = 0 (a relative plan and no z).

    A position's own sequence with a z plan replaces the main z plan there; one without
    takes the main plan's z (useq's ``_position_offsets``).
    """
    if not sequence.stage_positions:
        return frozenset({NO_POSITION}) if _relative(sequence.z_plan) else frozenset()
    floating = set()
    for number, position in enumerate(sequence.stage_positions):
        if position.z is not None:
            continue
        sub = position.sequence
        own = sub is not None and _iterates(sub) and sub.z_plan is not None
        if _relative(sub.z_plan if own and sub is not None else sequence.z_plan):
            floating.add(number)
    return frozenset(floating)


async def focus_origin(scope: MicroscopeLike, sequence: MDASequence) -> AsyncGenerator[Any, Any]:
    """Return the sequence's ``FocusOrigin``, locating the focus only when some z floats."""
    origin = FocusOrigin(floating_positions(sequence))
    if not origin.floating:
        yield Return(origin)
        return
    where = yield Msg("locate", scope.focus)
    yield Return(origin.at(float(where["readback"])))


def _relative(plan: Any) -> bool:
    return plan is not None and bool(plan.is_relative)


def _iterates(sub: Any) -> bool:
    """Whether a position's own sequence iterates anything (useq then recurses into it)."""
    return bool(
        sub.time_plan is not None
        or sub.stage_positions
        or sub.z_plan is not None
        or sub.channels
        or sub.grid_plan is not None
    )

"""What an MDA's frames are worth plotting against: time, focus or stage position.

bluesky's ``BestEffortCallback`` plots the hinted fields of a stream against the first field of
each of the start document's ``hints.dimensions`` (one or two of them), and tabulates them all.
An MDA hints the camera's mean (when frames come back inline) against the axis the sequence
spends longest on: the time since the run started for a time-lapse, else the focus for a
z-stack, else the stage's x and y for positions and tiles (a scatter), else the channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._mda_steps import AXES
from ._plan_md import Dimension
from ._scope_protocol import MicroscopeLike

if TYPE_CHECKING:
    from useq import MDASequence

_PLOTTED = {"t": ["started_s"], "z": ["z_um"], "p": ["x_um", "y_um"], "g": ["x_um", "y_um"]}


@dataclass(frozen=True)
class MdaHints:
    """The dimensions of an MDA run and the frame fields its record hints."""

    varying: tuple[str, ...]
    """useq's axes along which the sequence takes more than one frame, in ``AXES`` order."""

    @property
    def dimensions(self) -> list[Dimension]:
        """Bluesky's ``hints.dimensions``: one dimension, or x and y for positions and tiles."""
        first = next((a for a in ("t", "z", "p", "g", "c") if a in self.varying), None)
        plotted = _PLOTTED.get(first or "t", [first or "t"])
        indices = [a for a in self.varying if a not in plotted]
        if len(plotted) == 2:
            return [([plotted[0], *indices], "primary"), ([plotted[1]], "primary")]
        return [([*plotted, *indices], "primary")]

    @property
    def fields(self) -> list[str]:
        """The frame record's hinted fields: every dimension field."""
        return [field for fields, _ in self.dimensions for field in fields]

    def motors(self, scope: MicroscopeLike) -> list[Any]:
        """The parts of ``scope`` the sequence moves from frame to frame."""
        parts = {"p": scope.xy, "g": scope.xy, "z": scope.focus, "c": scope.filter_wheel}
        moved = [parts[a] for a in self.varying if a in parts]
        return list({id(m): m for m in moved}.values())


def mda_hints(sequence: MDASequence, timepoints: int) -> MdaHints:
    """Return the hints of ``sequence`` (whose time plan has ``timepoints`` timepoints)."""
    subs = [p.sequence for p in sequence.stage_positions if p.sequence is not None]
    sizes = {
        "t": timepoints,
        "p": len(sequence.stage_positions),
        "g": max(_positions(s.grid_plan) for s in (sequence, *subs)),
        "c": max(len(s.channels) for s in (sequence, *subs)),
        "z": max(_positions(s.z_plan) for s in (sequence, *subs)),
    }
    return MdaHints(tuple(a for a in AXES if sizes[a] > 1))


def _positions(plan: Any) -> int:
    """How many positions a grid or z plan has (0 without one; 2 if it cannot say cheaply)."""
    if plan is None:
        return 0
    try:
        return int(plan.num_positions())
    except Exception:  # a plan that cannot count itself without iterating: assume it varies
        return 2

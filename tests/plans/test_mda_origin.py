"""Which frames' z count from the starting focus, checked against useq's own z arithmetic.

useq adds a position's z to a relative z plan, and 0 where the position (or its sub-sequence's
parent) has none. Giving every position without z a large probe z and iterating again shows
which frames got that 0: exactly the frames whose z moved. The MDA's focus origin must pick out
the same frames, for every mix of position z, main and sub-sequence z plans (relative and
absolute), sub-sequence grids (relative and absolute), channels with z offsets and time plans.
A position whose sub-sequence has stage positions of its own is refused before anything moves.
"""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import pytest
import useq
from _sim_scope import make_scope, release

from skyscope.engine import Engine
from skyscope.plans import mda
from skyscope.plans._mda_origin import FocusOrigin, floating_positions

PROBE_Z = 1.0e6
RELATIVE = {"range": 2, "step": 2}
ABSOLUTE = {"top": 5, "bottom": 3, "step": 2}
SUB_SEQUENCES: list[dict[str, Any] | None] = [
    None,
    {"z_plan": RELATIVE},
    {"z_plan": ABSOLUTE},
    {"grid_plan": {"rows": 1, "columns": 2, "fov_width": 10, "fov_height": 10}},
    {"grid_plan": {"rows": 1, "columns": 2, "fov_width": 10, "fov_height": 10}, "z_plan": RELATIVE},
    {
        "grid_plan": {
            "top": 0,
            "left": 0,
            "bottom": 10,
            "right": 10,
            "fov_width": 10,
            "fov_height": 10,
        }
    },
    {"channels": [{"config": "DAPI", "z_offset": 1.5}]},
    {"time_plan": {"interval": 0, "loops": 2}, "z_plan": RELATIVE},
]


def _pairs() -> list[tuple[useq.MDASequence, useq.MDASequence | None]]:
    """Each sequence, and the same with ``PROBE_Z`` for every missing position z (if any)."""
    made = []
    for main_z, z1, z2, sub1, sub2 in itertools.product(
        [None, RELATIVE, ABSOLUTE], [None, 7.0], [None, 7.0], SUB_SEQUENCES, SUB_SEQUENCES[:2]
    ):
        pair = []
        for missing in (None, PROBE_Z):
            positions = [
                {"x": 0.0, "y": 0.0, "z": missing if z1 is None else z1, "sequence": sub1},
                {"x": 9.0, "y": 0.0, "z": missing if z2 is None else z2, "sequence": sub2},
            ]
            pair.append(useq.MDASequence(stage_positions=positions, z_plan=main_z))
        made.append((pair[0], pair[1]))
    made.append((useq.MDASequence(z_plan=RELATIVE), None))  # no positions: -1 floats
    made.append((useq.MDASequence(z_plan=ABSOLUTE), None))
    return made


def test_the_origin_picks_exactly_the_frames_useq_counts_from_zero() -> None:
    checked = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # useq: an absolute grid ignores x, y
        pairs = _pairs()
    for sequence, probed in pairs:
        origin = FocusOrigin(floating_positions(sequence), z_um=0.0).at(1.0)
        probe = list(probed) if probed is not None else None
        relative = sequence.z_plan is not None and sequence.z_plan.is_relative
        for number, event in enumerate(sequence):
            if event.z_pos is None:
                continue
            moved = probe[number].z_pos != event.z_pos if probe is not None else relative
            assert (origin.shift(event) == 1.0) == moved, (sequence, dict(event.index))
            checked += 1
    assert checked > 750  # the grid of sequences really ran


async def test_a_sub_sequence_with_positions_of_its_own_is_refused_before_anything_moves() -> None:
    sub = useq.MDASequence(stage_positions=[(1.0, 1.0, None)], z_plan=RELATIVE)
    position = useq.Position(x=0.0, y=0.0, name="A").model_copy(update={"sequence": sub})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # pydantic's serializer on model_copy
        sequence = useq.MDASequence(z_plan=RELATIVE).model_copy(
            update={"stage_positions": (position,)}
        )
    scope = await make_scope()
    try:
        start = await scope.xy.locate()
        with pytest.raises(
            ValueError, match=r"'A' \(p=0\) has a sub-sequence with stage positions"
        ):
            await Engine(md={}, handle_sigint=False)(mda(sequence, scope))
        assert await scope.xy.locate() == start
    finally:
        await release(scope)

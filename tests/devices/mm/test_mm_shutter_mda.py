"""``keep_shutter_open_across`` on Micro-Manager: auto-shutter off while the MDA holds the shutter.

With auto-shutter on, Micro-Manager opens the shutter for every snap and closes it after, so a
span the sequence keeps open would be closed between its frames. The MDA turns auto-shutter
off for the run and restores it (and the shutter) at the end, also when the run fails.
The demo camera records, at each snap, the core's auto-shutter switch and the shutter's state.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest
import useq
from _mm_helpers import ScopeFactory

from skyscope.engine import Engine, FailedStatus
from skyscope.plans import mda

KEPT_OPEN_ACROSS_Z = useq.MDASequence(
    channels=[{"config": "DAPI", "exposure": 5.0}, {"config": "FITC", "exposure": 5.0}],
    z_plan={"range": 2.0, "step": 1.0},
    axis_order="tcz",
    keep_shutter_open_across=("z",),
)


def _record_snaps(rig: Any) -> list[tuple[bool, bool]]:
    """Make the demo camera note (auto-shutter on, shutter open) at every snap."""
    camera, shutter, core = rig.devices["Camera"], rig.devices["Shutter"], rig.core
    seen: list[tuple[bool, bool]] = []
    snap = camera.snap

    def noting(buffer: np.ndarray) -> Mapping[str, Any]:
        seen.append((bool(core.getAutoShutter()), shutter.get_open()))
        result: Mapping[str, Any] = snap(buffer)
        return result

    camera.snap = noting
    return seen


async def test_a_kept_open_span_turns_auto_shutter_off_and_restores_it(
    scope_factory: ScopeFactory,
) -> None:
    scope, rig = await scope_factory()
    rig.core.setAutoShutter(True)
    seen = _record_snaps(rig)
    result = await Engine(md={}, handle_sigint=False)(mda(KEPT_OPEN_ACROSS_Z, scope))
    assert result.exit_status == "success"
    assert seen == [(False, True)] * 6  # every frame lit, none by Micro-Manager's auto-shutter
    assert rig.devices["Shutter"].openings == 2  # one opening per channel's z-stack
    assert rig.core.getAutoShutter() is True
    assert rig.devices["Shutter"].get_open() is False


async def test_auto_shutter_left_off_stays_off(scope_factory: ScopeFactory) -> None:
    scope, rig = await scope_factory()
    rig.core.setAutoShutter(False)
    await Engine(md={}, handle_sigint=False)(mda(KEPT_OPEN_ACROSS_Z, scope))
    assert rig.core.getAutoShutter() is False
    assert rig.devices["Shutter"].openings == 2


async def test_a_failed_run_restores_auto_shutter(scope_factory: ScopeFactory) -> None:
    scope, rig = await scope_factory()
    rig.core.setAutoShutter(True)
    seen = _record_snaps(rig)
    camera = rig.devices["Camera"]
    noting = camera.snap

    def fails_on_the_third(buffer: np.ndarray) -> Mapping[str, Any]:
        if len(seen) == 2:
            raise RuntimeError("the camera broke")
        result: Mapping[str, Any] = noting(buffer)
        return result

    camera.snap = fails_on_the_third
    with pytest.raises(FailedStatus, match="the camera broke"):
        await Engine(md={}, handle_sigint=False)(mda(KEPT_OPEN_ACROSS_Z, scope))
    assert seen == [(False, True)] * 2
    assert rig.core.getAutoShutter() is True
    assert rig.devices["Shutter"].get_open() is False


@pytest.mark.parametrize("auto", [True, False])
async def test_without_kept_open_axes_auto_shutter_is_not_touched(
    scope_factory: ScopeFactory, auto: bool
) -> None:
    scope, rig = await scope_factory()
    rig.core.setAutoShutter(auto)
    changes: list[bool] = []
    rig.core.events.autoShutterSet.connect(changes.append)
    sequence = KEPT_OPEN_ACROSS_Z.model_copy(update={"keep_shutter_open_across": ()})
    await Engine(md={}, handle_sigint=False)(mda(sequence, scope))
    assert changes == []
    assert rig.core.getAutoShutter() is auto

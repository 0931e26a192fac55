"""Software autofocus finds focus within one depth of field from anywhere within ±50 µm."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator

import numpy as np
import pytest
from _sim_scope import CELLS_XY, make_scope, release

from skyscope.devices.sim import CameraSettings, Microscope
from skyscope.engine import Engine
from skyscope.plans import FocusSweep, autofocus, denoised_brenner, find_focus


@pytest.fixture(scope="module")
async def scope() -> AsyncIterator[Microscope]:
    microscope = await make_scope(
        shape=(256, 256), mode="physics", camera=CameraSettings(exposure_s=0.02)
    )
    await microscope.light.set(100.0)
    await microscope.filter_wheel.set("DAPI")
    await microscope.xy.set(CELLS_XY)
    yield microscope
    await release(microscope)


def _true_focus(scope: Microscope) -> float:
    return scope.model.sample.surface_z_um(*CELLS_XY)


@pytest.mark.parametrize("start_offset", [-50.0, -31.0, -7.5, 12.0, 50.0])
async def test_autofocus_finds_focus_within_one_depth_of_field(
    scope: Microscope, start_offset: float
) -> None:
    truth = _true_focus(scope)
    await scope.focus.set(truth + start_offset)
    engine = Engine(md={}, handle_sigint=False)

    result = await engine(autofocus(scope))

    best = result.plan_result
    assert abs(best - truth) <= scope.model.depth_of_field_um()
    assert (await scope.focus.locate())["readback"] == pytest.approx(best)
    assert result.run_start_uids == ()  # a bare autofocus saves nothing


async def test_frames_are_scored_off_the_event_loop(scope: Microscope) -> None:
    loop_thread = threading.get_ident()
    threads: list[int] = []

    def metric(frame: np.ndarray) -> float:
        threads.append(threading.get_ident())
        return denoised_brenner(frame)

    sweep = FocusSweep(half_range_um=4.0, coarse_step_um=2.0, fine_step_um=0.5, shrink=4.0)
    engine = Engine(md={}, handle_sigint=False)
    result = await engine(
        find_focus(scope, center_um=_true_focus(scope), sweep=sweep, metric=metric)
    )

    focus = result.plan_result
    assert focus.frames == len(threads) == 5 + 9
    assert loop_thread not in threads
    assert focus.z_um in [z for z, _ in focus.samples] or abs(focus.z_um - _true_focus(scope)) < 1


def test_sweep_levels_go_coarse_to_fine() -> None:
    assert FocusSweep(60, 10, 0.4, 5).levels() == [(60, 10), (10, 2), (2, 0.4)]
    with pytest.raises(ValueError, match="fine_step_um <= coarse_step_um"):
        FocusSweep(half_range_um=10, coarse_step_um=1, fine_step_um=2)
    with pytest.raises(ValueError, match="shrink"):
        FocusSweep(shrink=1)


async def test_an_unknown_metric_is_refused_before_anything_moves(scope: Microscope) -> None:
    engine = Engine(md={}, handle_sigint=False)
    with pytest.raises(ValueError, match="unknown sharpness metric 'sharpest'"):
        await engine(autofocus(scope, metric="sharpest"))

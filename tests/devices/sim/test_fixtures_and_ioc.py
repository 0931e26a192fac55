"""The users' fixtures, and the test IOC serving simulated frames over Channel Access."""

from __future__ import annotations

from collections.abc import AsyncIterator

import numpy as np
import pytest

from skyscope.devices.epics import AdCamera
from skyscope.devices.sim import Microscope, SimFrames
from skyscope.devices.testing import TestIOC, load_frame_source
from skyscope.devices.testing.sim_fixtures import SIM_IOC_FRAMES, MicroscopeFactory


async def test_sim_microscope_is_connected_and_takes_frames(sim_microscope: Microscope) -> None:
    await sim_microscope.camera.trigger()
    reading = await sim_microscope.camera.read()
    assert reading["scope-camera-image"]["value"].shape == (512, 512)


async def test_factory_builds_with_arguments(sim_microscope_factory: MicroscopeFactory) -> None:
    scope = await sim_microscope_factory(name="other", seed=9, objective=2)
    assert scope.camera.name == "other-camera"
    assert scope.model.objective == 2


async def test_hdf5_microscope_streams_a_sequence(sim_microscope_hdf5: Microscope) -> None:
    camera = sim_microscope_hdf5.camera
    await camera.prepare(3)
    await camera.kickoff()
    await camera.complete()
    assert camera.get_index() == 3


def test_frame_source_loads_by_name_and_repeats_frames() -> None:
    source = load_frame_source("skyscope.devices.sim:SimFrames", {"height": 64, "width": 96})
    first = source(5)
    source(0)
    np.testing.assert_array_equal(first, source(5))
    assert first.shape == (64, 96)
    assert not np.array_equal(first, source(6))  # fresh noise per frame


def test_frame_source_can_sweep_focus() -> None:
    source = SimFrames(height=64, width=64, defocus_um=-20.0, z_step_um=5.0)
    assert source.focus_um(4) == pytest.approx(source.focus_um(0) + 20.0)


@pytest.fixture
async def sim_camera(sim_ca_ioc: TestIOC) -> AsyncIterator[AdCamera]:
    camera = AdCamera(sim_ca_ioc.camera_prefix, name="cam")
    await camera.connect(timeout=5)
    await camera.driver.acquire_time.set(0.005)
    await camera.driver.acquire_period.set(0.0)
    await camera.stage()
    yield camera
    await camera.unstage()


@pytest.mark.epics
async def test_the_ioc_camera_serves_simulated_frames(sim_camera: AdCamera) -> None:
    await sim_camera.trigger()
    reading = await sim_camera.read()
    frame = reading["cam-image"]["value"]
    counter = reading["cam-driver-array_counter"]["value"]
    np.testing.assert_array_equal(frame, SimFrames(**SIM_IOC_FRAMES)(counter))  # type: ignore[arg-type]

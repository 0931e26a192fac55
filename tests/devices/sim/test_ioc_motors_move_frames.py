"""Over Channel Access: the test IOC's motors move what its simulated camera sees."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import numpy as np
import pytest

from skyscope.devices.epics import AdCamera, EpicsMotor
from skyscope.devices.sim import SimFrames
from skyscope.devices.testing import TestIOC
from skyscope.devices.testing.sim_fixtures import SIM_IOC_FRAMES

from ._helpers import image_shift, sharpness

pytestmark = pytest.mark.epics

FRAMES = SimFrames(**SIM_IOC_FRAMES)  # type: ignore[arg-type]
"""The IOC's frame source, rebuilt here to know its pixel size and depth of field."""

MM = 1000.0
"""The IOC's motors count in mm; the sample's geometry is in µm."""


@dataclass
class Rig:
    """The IOC's camera and motors, connected through aioca."""

    camera: AdCamera
    x: EpicsMotor
    y: EpicsMotor
    z: EpicsMotor

    async def snap(self) -> np.ndarray:
        """Take one frame and check it is the frame source's at the motors' readbacks."""
        await self.camera.trigger()
        reading = await self.camera.read()
        frame = reading["cam-image"]["value"]
        positions = {
            axis: await motor.readback.get_value()
            for axis, motor in (("x", self.x), ("y", self.y), ("z", self.z))
        }
        expected = FRAMES(reading["cam-driver-array_counter"]["value"], positions)
        np.testing.assert_array_equal(frame, expected)
        return np.asarray(frame)


@pytest.fixture
async def rig(sim_ca_ioc: TestIOC) -> AsyncIterator[Rig]:
    camera = AdCamera(sim_ca_ioc.camera_prefix, name="cam")
    motors = [EpicsMotor(sim_ca_ioc.motor_prefix(axis), name=axis) for axis in "xyz"]
    for device in (camera, *motors):
        await device.connect(timeout=5)
    await camera.driver.acquire_time.set(0.002)
    await camera.driver.acquire_period.set(0.0)
    await camera.stage()
    yield Rig(camera, *motors)
    await camera.unstage()


async def test_moving_the_stage_motors_shifts_the_image_by_the_expected_pixels(rig: Rig) -> None:
    pixel_mm = FRAMES.pixel_size_um / MM
    before = await rig.snap()
    await rig.x.set(13 * pixel_mm)
    await rig.y.set(-7 * pixel_mm)
    after = await rig.snap()
    # the sample moves opposite to the stage in the image: x is columns, y is rows
    assert image_shift(before, after) == (7, -13)


async def test_a_focus_scan_over_channel_access_peaks_at_the_samples_focus(rig: Rig) -> None:
    depth = FRAMES.depth_of_field_um
    offsets_um = np.arange(-3.0, 2.25, 0.5) * depth  # the in-focus plane is at z = 0
    values = []
    for offset in offsets_um:
        await rig.z.set(float(offset) / MM)
        values.append(sharpness(await rig.snap()))
    peak = int(np.argmax(values))
    assert abs(offsets_um[peak]) <= depth
    assert values[peak] > 1.3 * max(values[0], values[-1])


async def test_the_sim_ioc_runs_beside_a_restartable_ioc(
    sim_ca_ioc: TestIOC, ca_restartable_ioc: TestIOC
) -> None:
    assert sim_ca_ioc.port != ca_restartable_ioc.port
    motors = [
        EpicsMotor(ioc.motor_prefix("x"), name=f"x{i}")
        for i, ioc in enumerate((sim_ca_ioc, ca_restartable_ioc))
    ]
    for motor in motors:
        await motor.connect(timeout=5)
        await motor.set(0.25)
        assert await motor.readback.get_value() == 0.25

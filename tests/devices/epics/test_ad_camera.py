"""AdCamera against the test IOC's areaDetector-compatible camera."""

from __future__ import annotations

from collections.abc import AsyncIterator

import numpy as np
import pytest

from skyscope.devices.epics import AdCamera, ImageMode
from skyscope.devices.testing import PatternFrames, TestIOC

pytestmark = pytest.mark.epics

PATTERN = PatternFrames()  # the test IOC's default frame source


@pytest.fixture
async def camera(ca_ioc: TestIOC) -> AsyncIterator[AdCamera]:
    camera = AdCamera(ca_ioc.camera_prefix, name="cam")
    await camera.connect(timeout=5)
    await camera.driver.acquire_time.set(0.005)
    await camera.driver.acquire_period.set(0.0)
    await camera.stage()
    yield camera
    await camera.unstage()


async def test_trigger_reads_one_frame_equal_to_the_pattern(camera: AdCamera) -> None:
    await camera.trigger()
    reading = await camera.read()
    frame = reading["cam-image"]["value"]
    counter = reading["cam-driver-array_counter"]["value"]
    assert frame.shape == (48, 64)
    assert frame.dtype == np.uint16
    np.testing.assert_array_equal(frame, PATTERN(counter))
    assert await camera.driver.image_mode.get_value() is ImageMode.SINGLE
    await camera.trigger()
    again = await camera.read()
    assert again["cam-driver-array_counter"]["value"] == counter + 1
    np.testing.assert_array_equal(again["cam-image"]["value"], PATTERN(counter + 1))


async def test_describe_matches_the_frame(camera: AdCamera) -> None:
    keys = await camera.describe()
    image = keys["cam-image"]
    assert image["shape"] == [48, 64]
    assert image["dtype"] == "array"
    assert image["dtype_numpy"] == "<u2"
    assert image["source"].endswith("image1:ArrayData")
    config = await camera.read_configuration()
    assert config["cam-driver-acquire_time"]["value"] == 0.005


async def test_stream_yields_every_frame_in_order(camera: AdCamera) -> None:
    await camera.driver.acquire_period.set(0.01)
    first = await camera.driver.array_counter.get_value() + 1
    frames = [frame async for frame in camera.stream(20)]
    assert len(frames) == 20
    for offset, frame in enumerate(frames):
        np.testing.assert_array_equal(frame, PATTERN(first + offset))
    assert await camera.driver.num_images_counter.get_value() == 20
    assert await camera.driver.detector_state.get_value() == "Idle"


async def test_leaving_a_stream_early_stops_the_camera(camera: AdCamera) -> None:
    await camera.driver.acquire_period.set(0.02)
    stream = camera.stream(1000)
    taken = [await anext(stream) for _ in range(3)]
    await stream.aclose()
    assert len(taken) == 3
    assert await camera.driver.acquire.get_value() is False
    assert await camera.driver.num_images_counter.get_value() < 1000


async def test_stream_refuses_a_bad_count(camera: AdCamera) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        async for _ in camera.stream(0):
            pass

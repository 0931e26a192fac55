"""Every device property is a typed signal: limits, allowed values, read-only refused, events."""

from __future__ import annotations

import asyncio

import pytest
from _mm_helpers import until

from skyscope.devices import LimitsError, SignalR, SignalRW, StatusFailedError
from skyscope.devices.mm import MMMicroscope, signal_name
from skyscope.devices.mm.demo import BINNINGS, EXPOSURE_LIMITS_MS, DemoRig


async def test_each_property_has_the_type_the_core_gives_it(scope: MMMicroscope) -> None:
    properties = scope.camera.properties
    assert set(properties) == {"Binning", "CameraName", "Exposure", "PixelType"}
    assert await properties["Binning"].get_value() == 1
    assert await properties["Exposure"].get_value() == 10.0
    assert await properties["PixelType"].get_value() == "16bit"
    described = await properties["Exposure"].describe()
    key = described["scope-camera-properties-Exposure"]
    assert key["dtype"] == "number"
    assert key["source"] == "mm://Camera/Exposure"
    assert key["limits"] == {
        "control": {"low": EXPOSURE_LIMITS_MS[0], "high": EXPOSURE_LIMITS_MS[1]}
    }
    pixel_type = (await properties["PixelType"].describe())["scope-camera-properties-PixelType"]
    assert pixel_type["choices"] == ["8bit", "16bit"]
    assert scope.camera.properties.infos["Binning"].allowed == BINNINGS


async def test_writes_are_checked_before_they_reach_the_core(
    scope: MMMicroscope, rig: DemoRig
) -> None:
    properties = scope.camera.properties
    camera = rig.devices["Camera"]
    with pytest.raises(StatusFailedError, match=r"outside the limits \[0.0, 10000.0\]") as caught:
        await properties.writable("Exposure").set(20000.0)
    assert isinstance(caught.value.__cause__, LimitsError)
    with pytest.raises(StatusFailedError, match=r"3 is not an allowed value of 'Camera' property"):
        await properties.writable("Binning").set(3)
    with pytest.raises(StatusFailedError, match=r"takes int values, got 'two'"):
        await properties.writable("Binning").set("two")
    with pytest.raises(
        StatusFailedError, match=r"'12bit' is not an allowed value of 'Camera' property 'PixelType'"
    ):
        await properties.writable("PixelType").set("12bit")
    assert (camera.get_exposure(), camera.get_binning()) == (10.0, 1)  # nothing got through
    await properties.writable("Binning").set(4)
    await properties.writable("Exposure").set(25)
    assert (camera.get_exposure(), camera.get_binning()) == (25.0, 4)


async def test_a_read_only_property_is_a_read_only_signal(scope: MMMicroscope) -> None:
    properties = scope.camera.properties
    name = properties["CameraName"]
    assert isinstance(name, SignalR)
    assert not isinstance(name, SignalRW)  # no set(): it is not a Movable
    assert await name.get_value() == "skyscope demo camera"
    with pytest.raises(PermissionError, match="'Camera' property 'CameraName' is read-only"):
        properties.writable("CameraName")
    with pytest.raises(PermissionError, match="'Camera' property 'CameraName' is read-only"):
        await name.backend.put("another camera", wait=True)
    with pytest.raises(KeyError, match=r"has no property 'Gain'; it has \['Binning'"):
        properties["Gain"]


async def test_property_subscriptions_hear_changes_made_anywhere(
    scope: MMMicroscope, rig: DemoRig
) -> None:
    heard: list[object] = []
    state = scope.devices["Filter"].properties["Label"]
    state.subscribe_value(heard.append)
    try:
        await until(lambda: heard == ["DAPI"])  # first the value now
        await asyncio.to_thread(rig.core.setState, "Filter", 3)  # not through skyscope
        await until(lambda: "Cy5" in heard)
    finally:
        state.clear_sub(heard.append)
    assert heard[0] == "DAPI"
    assert heard[-1] == "Cy5"


def test_signal_names_keep_only_what_a_data_key_can_hold() -> None:
    assert signal_name("Exposure") == "Exposure"
    assert signal_name("Transpose_MirrorX") == "Transpose_MirrorX"
    assert signal_name("LED 1: Power (%)") == "LED_1_Power"
    assert signal_name("%") == "property"

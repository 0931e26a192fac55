"""Every Micro-Manager device through skyscope's protocols: stages, selectors, shutters, groups."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import bluesky.protocols as bluesky_protocols
import pytest
from _mm_helpers import ScopeFactory, until

from skyscope import devices as protocols
from skyscope.devices import LimitsError, NotConnectedError, StatusFailedError
from skyscope.devices.mm import (
    CoreLink,
    MMFocusStage,
    MMMicroscope,
    MMStateDevice,
    build_microscope,
)
from skyscope.devices.mm.demo import FILTERS, PIXEL_SIZES_UM, DemoRig
from skyscope.plans import MicroscopeLike


def test_the_microscope_has_every_part_the_plans_need(scope: MMMicroscope) -> None:
    assert isinstance(scope, MicroscopeLike)
    assert scope.camera.label == "Camera"
    assert (scope.xy.label, scope.focus.label, scope.shutter.label) == ("XY", "Z", "Shutter")
    assert scope.objective.label == "Objective"  # guessed from the label, as pymmcore-plus does
    assert scope.filter_wheel.group == "Channel"  # the core's channel group
    assert set(scope.filter_wheel.positions) == set(FILTERS)
    assert list(scope.devices) == ["Filter"]  # the state device behind the channel presets
    assert list(scope.groups) == ["Objective"]
    assert scope.device("Filter") is scope.devices["Filter"]
    assert scope.device("Z") is scope.focus
    assert scope.group("Channel") is scope.filter_wheel


def test_parts_satisfy_skyscope_and_bluesky_protocols(scope: MMMicroscope) -> None:
    movables = [scope.xy, scope.xy.x, scope.focus, scope.objective, scope.shutter,
                scope.filter_wheel, scope.devices["Filter"], scope.groups["Objective"]]  # fmt: skip
    for part in movables:
        for protocol in (protocols.Movable, bluesky_protocols.Movable, protocols.Locatable,
                         bluesky_protocols.Readable, bluesky_protocols.Configurable):  # fmt: skip
            assert isinstance(part, protocol), (part, protocol)
    for axis in (scope.xy, scope.xy.x, scope.xy.y, scope.focus):
        assert isinstance(axis, bluesky_protocols.Stoppable)
        assert isinstance(axis, protocols.Checkable)
    camera = scope.camera
    for protocol in (bluesky_protocols.Readable, bluesky_protocols.Triggerable,
                     bluesky_protocols.Stageable, bluesky_protocols.Configurable,
                     bluesky_protocols.Preparable, bluesky_protocols.Flyable,
                     bluesky_protocols.Collectable, bluesky_protocols.WritesStreamAssets,
                     bluesky_protocols.Stoppable):  # fmt: skip
        assert isinstance(camera, protocol), protocol


async def test_the_focus_stage_moves_reads_back_and_reports_progress(
    scope: MMMicroscope, rig: DemoRig
) -> None:
    updates: list[dict[str, Any]] = []
    status = scope.focus.set(12.5)
    status.watch(lambda **kw: updates.append(kw))
    await status
    assert await scope.focus.locate() == {"setpoint": 12.5, "readback": 12.5}
    reading = await scope.focus.read()
    assert reading["scope-focus-readback"]["value"] == 12.5
    assert updates[-1]["fraction"] == 1.0
    assert updates[-1]["name"] == "scope-focus"


async def test_a_move_outside_the_limits_is_refused_before_the_stage_moves(
    scope_factory: ScopeFactory,
) -> None:
    scope, rig = await scope_factory(focus_limits=(0.0, 100.0), xy_limits=((-50, 50), (-50, 50)))
    with pytest.raises(StatusFailedError, match=r"outside the limits \[0.0, 100.0\]") as caught:
        await scope.focus.set(150.0)
    assert isinstance(caught.value.__cause__, LimitsError)
    with pytest.raises(StatusFailedError, match=r"y target 80\.0 µm is outside"):
        await scope.xy.set((10.0, 80.0))
    with pytest.raises(LimitsError):
        await scope.xy.x.check_value(-60.0)
    assert rig.devices["Z"].targets == []  # never asked to move
    assert rig.devices["XY"].targets == []
    await scope.focus.low_limit.set(-200.0)
    await scope.focus.set(-150.0)  # the limits are signals: widened, the move goes
    assert rig.devices["Z"].targets == [-150.0]


async def test_the_xy_stage_moves_both_axes_or_one(scope: MMMicroscope, rig: DemoRig) -> None:
    await scope.xy.set((30.0, -40.0))
    assert (await scope.xy.locate())["readback"] == (30.0, -40.0)
    await scope.xy.y.set(5.0)  # the other axis stays where it was asked to be
    assert (await scope.xy.locate())["readback"] == (30.0, 5.0)
    assert await scope.xy.x.locate() == {"setpoint": 30.0, "readback": 30.0}
    reading = await scope.xy.read()
    assert reading["scope-xy-x-readback"]["value"] == 30.0
    assert reading["scope-xy-y-readback"]["value"] == 5.0
    assert rig.devices["XY"].targets == [(30.0, -40.0), (30.0, 5.0)]
    with pytest.raises(StatusFailedError, match=r"a pair \(x, y\)"):
        await scope.xy.set(3.0)  # type: ignore[arg-type]


async def test_stop_halts_a_travelling_stage_and_fails_its_move(
    scope_factory: ScopeFactory,
) -> None:
    scope, _ = await scope_factory({"stage_speed_um_per_s": 200.0})
    progress: list[float] = []
    move = scope.focus.set(100.0)  # half a second of travel
    move.watch(lambda **kw: progress.append(kw["fraction"]))
    await until(lambda: bool(progress) and progress[-1] >= 0.1)
    await scope.focus.stop()
    with pytest.raises(StatusFailedError, match="stopped by stop"):
        await move
    where = (await scope.focus.locate())["readback"]
    assert 0 < where < 100.0
    await asyncio.sleep(0.1)
    assert (await scope.focus.locate())["readback"] == where  # it stays stopped
    assert all(b >= a for a, b in itertools.pairwise(progress))


async def test_stage_subscriptions_hear_the_cores_position_events(
    scope: MMMicroscope, rig: DemoRig
) -> None:
    heard: list[float] = []
    scope.focus.readback.subscribe_value(heard.append)
    try:
        await until(lambda: heard == [0.0])  # first the position now
        await scope.focus.set(3.0)
        await asyncio.to_thread(rig.core.setPosition, "Z", 4.0)  # moved behind skyscope's back
        await until(lambda: 4.0 in heard)
    finally:
        scope.focus.readback.clear_sub(heard.append)
    assert heard[0] == 0.0
    assert heard[-2:] == [3.0, 4.0]


async def test_a_state_device_moves_to_its_labels_and_refuses_others(
    scope: MMMicroscope, rig: DemoRig
) -> None:
    wheel = scope.devices["Filter"]
    assert isinstance(wheel, MMStateDevice)
    assert wheel.positions == FILTERS
    await wheel.set("TRITC")
    assert rig.world.channel == 2
    assert await wheel.locate() == {"setpoint": "TRITC", "readback": "TRITC"}
    await wheel.set(1)  # a state number works too
    assert (await wheel.read())["scope-devices-Filter-position"]["value"] == "FITC"
    with pytest.raises(
        StatusFailedError, match=r"'GFP' is not a position of state device 'Filter'"
    ):
        await wheel.set("GFP")
    assert rig.world.channel == 1


async def test_a_switching_state_device_is_waited_for(scope_factory: ScopeFactory) -> None:
    scope, rig = await scope_factory({"switch_s": 0.1})
    heard: list[str] = []
    scope.objective.position.subscribe_value(heard.append)
    try:
        await scope.objective.set("40x")
        assert not rig.devices["Objective"].busy()  # done means the turret stopped turning
    finally:
        scope.objective.position.clear_sub(heard.append)
    assert heard[-1] == "40x"


async def test_a_shutter_opens_and_closes(scope: MMMicroscope, rig: DemoRig) -> None:
    await scope.shutter.open()
    assert rig.devices["Shutter"].get_open()
    assert await scope.shutter.locate() == {"setpoint": "open", "readback": "open"}
    await scope.shutter.set(False)
    assert (await scope.shutter.read())["scope-shutter-is_open"]["value"] is False
    with pytest.raises(StatusFailedError, match="'open' or 'closed', not 'ajar'"):
        await scope.shutter.set("ajar")  # type: ignore[arg-type]


async def test_presets_are_applied_like_a_selector(scope: MMMicroscope, rig: DemoRig) -> None:
    channels = scope.filter_wheel
    heard: list[str] = []
    channels.preset.subscribe_value(heard.append)
    try:
        await channels.set("Cy5")
        assert rig.world.channel == FILTERS.index("Cy5")
        assert await channels.locate() == {"setpoint": "Cy5", "readback": "Cy5"}
        await until(lambda: "Cy5" in heard)
    finally:
        channels.preset.clear_sub(heard.append)
    with pytest.raises(StatusFailedError, match=r"'GFP' is not a preset of configuration group"):
        await channels.set("GFP")
    assert rig.world.channel == FILTERS.index("Cy5")  # nothing changed


async def test_the_pixel_size_follows_the_turret_and_the_binning(scope: MMMicroscope) -> None:
    assert scope.pixel_size_um == PIXEL_SIZES_UM["10x"]
    await scope.objective.set("40x")
    assert scope.pixel_size_um == PIXEL_SIZES_UM["40x"]  # known as soon as the move is done
    assert (await scope.camera.pixel_size.get_value()) == PIXEL_SIZES_UM["40x"]
    await scope.groups["Objective"].set("10x")
    assert scope.pixel_size_um == PIXEL_SIZES_UM["10x"]
    await scope.camera.binning.set(2)  # type: ignore[attr-defined]
    assert await scope.camera.pixel_size.get_value() == 2 * PIXEL_SIZES_UM["10x"]
    # the core's property event brings it to the microscope
    await until(lambda: scope.pixel_size_um == 2 * PIXEL_SIZES_UM["10x"])


async def test_a_label_that_is_not_loaded_is_named_with_those_that_are(rig: DemoRig) -> None:
    with pytest.raises(KeyError, match=r"'Cam2' is loaded \(asked for as the camera\)"):
        await build_microscope(rig.core, camera="Cam2")
    with pytest.raises(TypeError, match="'Filter' is a state device, not a camera"):
        await build_microscope(rig.core, camera="Filter")
    with pytest.raises(KeyError, match="no configuration group 'Lasers'"):
        await build_microscope(rig.core, channel_group="Lasers")
    link = CoreLink(rig.core)
    try:
        stage = MMFocusStage(link, "Z2", name="z2")
        with pytest.raises(NotConnectedError, match=r"no Micro-Manager stage labelled 'Z2'.*'XY'"):
            await stage.connect()
    finally:
        link.close()

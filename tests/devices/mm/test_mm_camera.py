"""The Micro-Manager camera: snaps off the loop, its settings as signals, frames into writers,
and hardware sequences through the core's circular buffer (stopped, timed out)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import h5py
import numpy as np
import pytest
from _mm_helpers import ScopeFactory, Ticker, until

from skyscope.devices import StatusFailedError
from skyscope.devices.mm import MMMicroscope
from skyscope.devices.mm.demo import DemoRig, read_header
from skyscope.writers import HDF5FrameWriter


async def test_a_trigger_snaps_the_frame_the_hardware_shows(
    scope: MMMicroscope, rig: DemoRig
) -> None:
    await scope.xy.set((12.0, -7.5))
    await scope.focus.set(3.25)
    await scope.filter_wheel.set("TRITC")
    await scope.camera.exposure.set(0.025)
    await scope.camera.stage()
    await scope.camera.trigger()
    reading = await scope.camera.read()
    frame = reading["scope-camera-image"]["value"]
    header = read_header(frame)
    assert (header.x_um, header.y_um, header.z_um) == (12.0, -7.5, 3.25)
    assert (header.exposure_ms, header.channel) == (25.0, 2)
    assert frame.shape == (64, 64)
    assert frame.dtype == np.uint16
    assert reading["scope-camera-mean"]["value"] == pytest.approx(float(frame.mean()))
    described = await scope.camera.describe()
    assert described["scope-camera-image"]["shape"] == [64, 64]
    assert scope.camera.hints == {"fields": ["scope-camera-mean"]}


async def test_the_loop_runs_while_a_100_ms_exposure_snaps(scope_factory: ScopeFactory) -> None:
    scope, _ = await scope_factory({"realtime": True})
    await scope.camera.exposure.set(0.1)
    async with Ticker(period=0.005) as ticker:
        before = ticker.ticks
        await scope.camera.trigger()
        during = ticker.ticks - before
    assert during >= 5  # the loop kept ticking while the core snapped on its worker
    assert ticker.longest_gap < 0.1  # never stalled for the whole exposure


async def test_settings_are_configuration_signals(scope: MMMicroscope, rig: DemoRig) -> None:
    camera = scope.camera
    await camera.exposure.set(0.05)
    assert rig.devices["Camera"].get_exposure() == 50.0  # the core speaks ms
    with pytest.raises(StatusFailedError, match=r"outside the limits of 'Camera': \[0, 10\] s"):
        await camera.exposure.set(20.0)
    configuration = await camera.read_configuration()
    assert configuration["scope-camera-exposure"]["value"] == 0.05
    assert configuration["scope-camera-bit_depth"]["value"] == 16
    assert configuration["scope-camera-pixel_type"]["value"] == "GRAY16"
    assert configuration["scope-camera-pixel_size"]["value"] == 0.65
    await camera.properties.writable("PixelType").set("8bit")
    assert await camera.bit_depth.get_value() == 8
    assert await camera.pixel_type.get_value() == "GRAY8"
    await camera.binning.set(2)  # type: ignore[attr-defined]
    await camera.trigger()
    frame = (await camera.read())["scope-camera-image"]["value"]
    assert (frame.shape, frame.dtype) == ((32, 32), np.uint8)
    assert await camera.roi_width.get_value() == 32


async def test_the_roi_crops_the_frame(scope: MMMicroscope, rig: DemoRig) -> None:
    camera = scope.camera
    await camera.roi_width.set(20)
    await camera.roi_x.set(8)
    assert list(rig.core.getROI("Camera")) == [8, 0, 20, 64]
    await camera.trigger()
    frame = (await camera.read())["scope-camera-image"]["value"]
    assert frame.shape == (64, 20)
    with pytest.raises(StatusFailedError, match="whole number of pixels"):
        await camera.roi_y.set(-1)


async def test_a_camera_with_a_writer_streams_its_snaps_to_the_file(
    scope_factory: ScopeFactory, tmp_path: Path
) -> None:
    scope, _ = await scope_factory(writer=HDF5FrameWriter(tmp_path / "snaps.h5"))
    camera = scope.camera
    await camera.stage()
    for z in (1.0, 2.0, 3.0):
        await scope.focus.set(z)
        await camera.trigger()
    docs = list(camera.collect_asset_docs())
    assert [kind for kind, _ in docs] == ["stream_resource", "stream_datum"]
    assert docs[1][1]["indices"] == {"start": 0, "stop": 3}
    described = await camera.describe()
    assert described["scope-camera-image"]["external"] == "STREAM:"
    assert "scope-camera-image" not in await camera.read()
    await camera.unstage()
    with h5py.File(tmp_path / "snaps.h5", "r") as f:
        frames = f["scope-camera-image"][()]
    assert [read_header(f).z_um for f in frames] == [1.0, 2.0, 3.0]


async def test_a_sequence_streams_the_circular_buffer_into_the_file(
    scope_factory: ScopeFactory, tmp_path: Path
) -> None:
    scope, rig = await scope_factory(writer=HDF5FrameWriter(tmp_path / "burst.h5"))
    camera = scope.camera
    progress: list[int] = []
    await camera.prepare(25)
    await camera.kickoff()
    done = camera.complete()
    done.watch(lambda **kw: progress.append(kw["current"]))
    await done
    assert progress[-1] == 25
    assert camera.get_index() == 25
    assert await camera.frames_acquired.get_value() == 25
    assert len(camera.sequence_timestamps) == 25
    assert not rig.core.isSequenceRunning()
    await camera.unstage()
    with h5py.File(tmp_path / "burst.h5", "r") as f:
        frames = f["scope-camera-image"][()]
    assert [read_header(f).number for f in frames] == list(range(25))


async def test_stop_ends_a_sequence_and_keeps_the_frames_taken(
    scope_factory: ScopeFactory, tmp_path: Path
) -> None:
    scope, rig = await scope_factory(
        {"realtime": True}, writer=HDF5FrameWriter(tmp_path / "stopped.h5")
    )
    camera = scope.camera
    await camera.exposure.set(0.02)
    await camera.prepare(200)  # four seconds of frames
    await camera.kickoff()
    done = camera.complete()
    await until(lambda: len(camera.sequence_timestamps) >= 3)
    await camera.stop()
    await done
    kept = camera.get_index()
    assert 3 <= kept < 200
    assert not rig.core.isSequenceRunning()
    await camera.prepare(5)  # a stopped camera can go again
    await camera.kickoff()
    await camera.complete()
    await camera.unstage()
    with h5py.File(tmp_path / "stopped.h5", "r") as f:
        numbers = [read_header(f).number for f in f["scope-camera-image"][()]]
    assert numbers == list(range(kept + 5))  # every frame taken, in order, none twice


async def test_a_camera_that_hangs_fails_the_sequence_naming_it(
    scope_factory: ScopeFactory, tmp_path: Path
) -> None:
    scope, rig = await scope_factory(
        writer=HDF5FrameWriter(tmp_path / "hung.h5"), frame_timeout_s=0.3
    )
    rig.devices["Camera"].stall_after = 4
    camera = scope.camera
    await camera.prepare(10)
    await camera.kickoff()
    with pytest.raises(StatusFailedError, match=r"scope-camera timed out: no frame for 0.3 s; "
                       r"4 of 10 frames of the sequence arrived"):  # fmt: skip
        await camera.complete()
    assert camera.get_index() == 4
    assert not rig.core.isSequenceRunning()
    with pytest.raises(StatusFailedError, match="last sequence failed"):
        await camera.prepare(10)  # not silently re-armed
    await camera.stop()
    rig.devices["Camera"].stall_after = None
    await camera.prepare(2)
    await camera.kickoff()
    await camera.complete()
    assert camera.get_index() == 6
    await camera.unstage()


async def test_trigger_and_sequence_refuse_each_other(
    scope_factory: ScopeFactory, tmp_path: Path
) -> None:
    scope, _ = await scope_factory({"realtime": True}, writer=HDF5FrameWriter(tmp_path / "busy.h5"))
    camera = scope.camera
    with pytest.raises(StatusFailedError, match="whole number of frames >= 1"):
        await camera.prepare(0)
    await camera.prepare(50)
    await camera.kickoff()
    with pytest.raises(StatusFailedError, match="busy acquiring a sequence"):
        await camera.trigger()
    await camera.unstage()  # stops the sequence
    inline, _ = await scope_factory()
    with pytest.raises(StatusFailedError, match="has no frame writer"):
        await inline.camera.prepare(3)


async def test_a_camera_that_stops_early_fails_the_sequence_naming_it(
    scope_factory: ScopeFactory, tmp_path: Path
) -> None:
    scope, rig = await scope_factory(
        {"realtime": True}, writer=HDF5FrameWriter(tmp_path / "early.h5")
    )
    camera = scope.camera
    await camera.exposure.set(0.02)
    await camera.prepare(100)
    await camera.kickoff()
    await until(lambda: len(camera.sequence_timestamps) >= 2)
    # stopped behind skyscope's back, as a camera that gives up would be
    await asyncio.to_thread(rig.core.stopSequenceAcquisition)
    with pytest.raises(StatusFailedError, match=r"scope-camera: the camera stopped after \d+ of "
                       r"100 frames of the sequence arrived"):  # fmt: skip
        await camera.complete()
    await camera.unstage()

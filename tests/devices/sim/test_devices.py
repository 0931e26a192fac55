"""The simulated microscope's devices on the caller's event loop."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

from skyscope.devices import LimitsError, StatusFailedError
from skyscope.devices.sim import CameraSettings, Microscope, SensorSpec
from skyscope.writers import HDF5FrameWriter

SENSOR = SensorSpec(shape=(256, 256))


async def _scope(**kwargs: object) -> Microscope:
    scope = Microscope(seed=2, sensor=SENSOR, objective=1, **kwargs)  # type: ignore[arg-type]
    await scope.connect()
    return scope


async def test_the_tree_is_named_from_its_attributes() -> None:
    scope = await _scope()
    assert scope.xy.x.name == "scope-xy-x"
    assert scope.focus.readback.name == "scope-focus-readback"
    assert scope.camera.exposure.name == "scope-camera-exposure"
    assert scope.filter_wheel.position.name == "scope-filter_wheel-position"


async def test_stage_move_takes_time_reports_progress_and_updates_the_model() -> None:
    scope = await _scope()
    await scope.xy.x.velocity.set(2000.0)
    fractions: list[float] = []
    start = time.monotonic()
    status = scope.xy.set((200.0, -100.0))
    status.watch(lambda **update: fractions.append(update["fraction"]))
    await status
    elapsed = time.monotonic() - start
    assert elapsed >= 200.0 / 2000.0  # x at 2 mm/s, plus acceleration and settling
    assert fractions[-1] == 1.0
    assert len(fractions) > 2
    assert (scope.model.x_um, scope.model.y_um) == (200.0, -100.0)
    location = await scope.xy.locate()
    assert location == {"setpoint": (200.0, -100.0), "readback": (200.0, -100.0)}


async def test_stage_refuses_a_target_past_its_limits_before_moving() -> None:
    scope = await _scope()
    with pytest.raises(StatusFailedError, match="outside the limits"):
        await scope.xy.x.set(1e6)
    with pytest.raises(LimitsError):
        await scope.xy.x.check_value(-1e6)
    assert scope.model.x_um == 0.0


async def test_stop_halts_the_stage_part_way() -> None:
    scope = await _scope()
    await scope.xy.x.velocity.set(1000.0)
    status = scope.xy.x.set(2000.0)
    await asyncio.sleep(0.1)
    await scope.xy.x.stop()
    with pytest.raises(StatusFailedError, match="stop"):
        await status
    assert 0.0 < scope.model.x_um < 2000.0


async def test_focus_move_settles_before_it_is_done() -> None:
    scope = await _scope()
    await scope.focus.settle_time.set(0.1)
    start = time.monotonic()
    await scope.focus.set(scope.model.focus_um + 1.0)
    assert time.monotonic() - start >= 0.1


async def test_turret_and_wheel_switch_the_optics() -> None:
    scope = await _scope()
    pixel = scope.model.pixel_size_um()
    await scope.objective.set("20x/0.75")
    assert scope.model.pixel_size_um() == pytest.approx(pixel / 2)
    await scope.filter_wheel.set("TRITC")
    assert scope.model.channel == 2
    with pytest.raises(StatusFailedError, match="not a position"):
        await scope.filter_wheel.set("Cy7")


async def test_closed_shutter_makes_a_dark_frame() -> None:
    scope = await _scope()
    await scope.camera.exposure.set(0.05)
    await scope.camera.trigger()
    lit = (await scope.camera.read())["scope-camera-mean"]["value"]
    await scope.shutter.close()
    await scope.camera.trigger()
    dark = (await scope.camera.read())["scope-camera-mean"]["value"]
    assert dark == pytest.approx(100.0, abs=0.2)
    assert lit > dark + 5


async def test_light_power_refuses_out_of_range_and_scales_the_signal() -> None:
    scope = await _scope()
    with pytest.raises(StatusFailedError, match="outside"):
        await scope.light.set(150.0)
    await scope.light.set(80.0)
    assert scope.model.light_power == 80.0
    await scope.light.turn_off()
    assert scope.model.signal_scale() == 0.0


async def test_inline_trigger_reads_the_frame_and_describes_it() -> None:
    scope = await _scope()
    await scope.camera.binning.set(2)
    await scope.camera.stage()
    await scope.camera.trigger()
    reading = await scope.camera.read()
    image = reading["scope-camera-image"]["value"]
    assert image.shape == (128, 128)
    assert image.dtype == np.uint16
    keys = await scope.camera.describe()
    assert keys["scope-camera-image"]["shape"] == [128, 128]
    assert "external" not in keys["scope-camera-image"]
    assert "scope-camera-binning" in await scope.camera.read_configuration()
    await scope.camera.unstage()


async def test_camera_refuses_settings_the_sensor_cannot_do() -> None:
    scope = await _scope()
    await scope.camera.binning.set(3)
    with pytest.raises(StatusFailedError, match="binning"):
        await scope.camera.trigger()


async def test_trigger_with_a_writer_writes_to_hdf5_and_yields_stream_documents(
    tmp_path: Path,
) -> None:
    scope = await _scope(writer=HDF5FrameWriter(tmp_path))
    camera = scope.camera
    await camera.stage()
    keys = await camera.describe()
    assert keys["scope-camera-image"]["external"] == "STREAM:"
    assert "scope-camera-image" not in await camera.read()
    for _ in range(2):
        await camera.trigger()
    assert camera.get_index() == 2
    documents = list(camera.collect_asset_docs())
    assert [name for name, _ in documents] == ["stream_resource", "stream_datum"]
    resource, datum = documents[0][1], documents[1][1]
    assert resource["mimetype"] == "application/x-hdf5"
    assert datum["indices"] == {"start": 0, "stop": 2}
    path = resource["uri"].removeprefix("file://localhost")
    await camera.unstage()
    with h5py.File(path, "r") as file:
        frames = file[resource["parameters"]["dataset"]][()]
    assert frames.shape == (2, 256, 256)
    assert frames.dtype == np.uint16
    assert frames.mean() > 100.0


async def test_a_sequence_streams_n_frames_at_the_frame_rate(tmp_path: Path) -> None:
    scope = await _scope(writer=HDF5FrameWriter(tmp_path), camera=CameraSettings(exposure_s=0.02))
    camera = scope.camera
    await camera.stage()
    await camera.prepare(15)
    start = time.monotonic()
    await camera.kickoff()
    status = camera.complete()
    progress: list[int] = []
    status.watch(lambda **update: progress.append(update["current"]))
    await status
    elapsed = time.monotonic() - start
    period = await camera.acquire_period.get_value()
    assert period == pytest.approx(0.02)
    assert elapsed >= 14 * period
    intervals = np.diff(camera.sequence_timestamps)
    assert len(camera.sequence_timestamps) == 15
    assert np.median(intervals) == pytest.approx(period, rel=0.25)
    assert progress[-1] == 15
    assert camera.get_index() == 15
    documents = list(camera.collect_asset_docs(camera.get_index()))
    assert documents[-1][1]["indices"] == {"start": 0, "stop": 15}
    path = camera.writer.path if camera.writer is not None else None
    await camera.unstage()
    with h5py.File(str(path), "r") as file:
        assert file["scope-camera-image"].shape == (15, 256, 256)


async def test_a_sequence_needs_a_writer_and_a_whole_number_of_frames(tmp_path: Path) -> None:
    scope = await _scope()
    with pytest.raises(StatusFailedError, match="no frame writer"):
        await scope.camera.prepare(3)
    writing = await _scope(writer=HDF5FrameWriter(tmp_path))
    with pytest.raises(StatusFailedError, match="whole number"):
        await writing.camera.prepare(0)


async def test_stop_aborts_a_running_sequence(tmp_path: Path) -> None:
    scope = await _scope(writer=HDF5FrameWriter(tmp_path), camera=CameraSettings(exposure_s=0.05))
    camera = scope.camera
    await camera.prepare(100)
    await camera.kickoff()
    status = camera.complete()
    await asyncio.sleep(0.12)
    await camera.stop()
    with pytest.raises(StatusFailedError):
        await status
    assert 0 < await camera.frames_acquired.get_value() < 100
    await camera.unstage()

"""A startup's cameras show their frames live: ``with_live_frames`` taps them (issue 16)."""

from __future__ import annotations

from pathlib import Path

import pytest

from skyscope.engine import Engine
from skyscope.server import FrameTap, LiveFrames, startup_factory, tap_cameras, with_live_frames

STARTUP = """
from skyscope.devices.sim import CameraSettings, Microscope, SensorSpec
from skyscope.plans import count
from skyscope.writers import HDF5FrameWriter

scope = Microscope(
    sensor=SensorSpec(shape=(24, 16)),
    camera=CameraSettings(exposure_s=0.001),
    mode="pattern",
    realtime=False,
    writer=HDF5FrameWriter({folder!r}),
)
camera = scope.camera
inline = Microscope(sensor=SensorSpec(shape=(8, 8)), realtime=False).camera


async def setup():
    await scope.connect()
"""


def _startup(tmp_path: Path) -> Path:
    path = tmp_path / "profile.py"
    path.write_text(STARTUP.format(folder=str(tmp_path / "frames")))
    return path


async def test_a_startups_camera_is_tapped_and_live_view_runs_on_it(tmp_path: Path) -> None:
    live = LiveFrames()
    environment = await with_live_frames(startup_factory(_startup(tmp_path)), live)()
    camera = environment.devices["camera"]
    assert isinstance(camera.writer, FrameTap)  # type: ignore[attr-defined]
    assert environment.devices["inline"].writer is None  # type: ignore[attr-defined]
    assert environment.plans["live_view"].__name__ == "live_view"
    result = await Engine({}, handle_sigint=False)(environment.plans["live_view"](camera, 3))
    assert result.exit_status == "success"
    assert live.seq == 3
    assert live.latest is not None
    assert live.latest.frame.shape == (24, 16)
    scope = environment.namespace["scope"]  # (a microscope is no device: it cannot be read)
    assert live.latest.pixel_size_um == scope.pixel_size_um
    # tapping again changes nothing: one tap, not two
    assert tap_cameras(environment.devices, live) == []
    assert not isinstance(camera.writer.writer, FrameTap)  # type: ignore[attr-defined]
    # acquisitions still write their files through the tap, and show their frames
    count = environment.plans["count"]
    result = await Engine({}, handle_sigint=False)(count([camera], num=2))
    assert result.exit_status == "success"
    assert live.seq == 5
    assert camera.writer.get_indices_written() == 2  # type: ignore[attr-defined]


async def test_without_a_camera_that_writes_frames_no_live_view_is_offered(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bare.py"
    path.write_text(
        "from skyscope.devices.sim import Microscope\nfrom skyscope.plans import count\n"
        "camera = Microscope(realtime=False).camera\n"
    )
    environment = await with_live_frames(startup_factory(path), LiveFrames())()
    assert "live_view" not in environment.plans
    assert "count" in environment.plans


async def test_a_writer_is_replaced_only_between_files(tmp_path: Path) -> None:
    live = LiveFrames()
    environment = await with_live_frames(startup_factory(_startup(tmp_path)), live)()
    camera = environment.devices["camera"]
    await camera.stage()  # type: ignore[attr-defined]
    try:
        with pytest.raises(ValueError, match="only between files"):
            camera.writer = camera.writer  # type: ignore[attr-defined]
    finally:
        await camera.unstage()  # type: ignore[attr-defined]
    inline = environment.devices["inline"]
    with pytest.raises(ValueError, match="only between files"):
        inline.writer = camera.writer  # type: ignore[attr-defined]

"""The camera's mean reading: computed with the frame off the loop, exact for ordinary frames."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from skyscope.devices.sim import CameraSettings, Microscope, SensorSpec
from skyscope.devices.sim._frame_maker import EXACT_MEAN_PIXELS, frame_mean


def test_the_mean_is_exact_up_to_a_size_and_sampled_beyond() -> None:
    rng = np.random.default_rng(3)
    small = rng.integers(0, 4000, (512, 512)).astype(np.uint16)
    assert small.size <= EXACT_MEAN_PIXELS
    assert frame_mean(small) == pytest.approx(float(small.mean()), rel=1e-12)
    big = rng.integers(0, 4000, (1024, 1024)).astype(np.uint16)
    assert frame_mean(big) == pytest.approx(float(big[::4, ::4].mean()), rel=1e-12)
    assert frame_mean(big) == pytest.approx(float(big.mean()), rel=0.01)


async def test_a_triggered_frame_reads_its_own_mean() -> None:
    scope = Microscope(
        sensor=SensorSpec(shape=(64, 80)),
        camera=CameraSettings(exposure_s=0.001),
        mode="pattern",
        realtime=False,
    )
    await scope.connect()
    for _ in range(2):  # the pattern numbers its frames: means differ
        await scope.camera.trigger()
        frame = await scope.camera.image.get_value()
        assert await scope.camera.mean.get_value() == pytest.approx(float(frame.mean()))


@pytest.mark.parametrize(("mode", "shape"), [("pattern", (512, 512)), ("physics", (48, 64))])
async def test_the_mean_is_the_frames_exact_mean_in_both_modes(
    mode: str, shape: tuple[int, int]
) -> None:
    scope = Microscope(
        sensor=SensorSpec(shape=shape),
        camera=CameraSettings(exposure_s=0.001, bit_depth=12),
        mode=mode,  # type: ignore[arg-type]
        realtime=False,
    )
    await scope.connect()
    for _ in range(3):  # pattern frames: the stamped frame number changes the mean
        await scope.camera.trigger()
        frame = await scope.camera.image.get_value()
        assert await scope.camera.mean.get_value() == pytest.approx(float(frame.mean()), rel=1e-12)


async def test_pattern_frames_are_made_on_the_loop_and_physics_frames_off_it() -> None:
    """A pattern copy costs less than a thread hop; a physics render must not stall the loop."""
    threads: dict[str, set[int]] = {}
    for mode in ("pattern", "physics"):
        scope = Microscope(
            sensor=SensorSpec(shape=(48, 64)),
            camera=CameraSettings(exposure_s=0.001),
            mode=mode,  # type: ignore[arg-type]
            realtime=False,
        )
        await scope.connect()
        model = scope.model
        snap = model.snap_with_mean
        seen: set[int] = set()

        def spy(
            *args: object, _snap: object = snap, _seen: set[int] = seen, **kw: object
        ) -> object:
            _seen.add(threading.get_ident())
            return _snap(*args, **kw)  # type: ignore[operator]

        model.snap_with_mean = spy  # type: ignore[method-assign]
        await scope.camera.trigger()
        threads[mode] = seen
    assert threads["pattern"] == {threading.get_ident()}
    assert threading.get_ident() not in threads["physics"]

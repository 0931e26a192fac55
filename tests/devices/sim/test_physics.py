"""The simulated microscope's physics, on the model alone (no devices, no event loop)."""

from __future__ import annotations

import numpy as np
import pytest

from skyscope.devices.sim import (
    CameraSettings,
    MicroscopeModel,
    Objective,
    SampleSpec,
    illuminated,
)

from ._helpers import SENSOR, correlation, image_shift, sharpness, signal_above_offset, small_model


@pytest.mark.parametrize("objective", [1, 2])
def test_focus_sweep_has_one_peak_within_a_depth_of_field(objective: int) -> None:
    model = small_model(seed=4)
    model.objective = objective
    channel = model.channels[model.channel]
    truth = model.sample.best_focus_um(
        0.0, 0.0, model.field_of_view_um()[0] / 2, channel.excitation
    )
    dof = model.depth_of_field_um()
    heights = truth + np.arange(-8 * dof, 8 * dof, dof / 2)
    curve = []
    for z in heights:
        model.z_um = float(z)
        curve.append(sharpness(model.snap()))
    values = np.array(curve)
    peak = int(np.argmax(values))
    assert abs(heights[peak] - truth) <= dof
    # one clear maximum: rising to it and falling after it (2 % slack for noise), well above ends
    slack = 0.02 * values[peak]
    assert np.all(np.diff(values[: peak + 1]) > -slack)
    assert np.all(np.diff(values[peak:]) < slack)
    assert values[peak] > 1.3 * max(values[0], values[-1])


def test_moving_one_field_of_view_shows_new_objects() -> None:
    model = small_model()
    before = model.snap()
    seen = set(illuminated(model.sample, model.view()).tolist())
    model.x_um += model.field_of_view_um()[0]
    after = model.snap()
    now = set(illuminated(model.sample, model.view()).tolist())
    assert seen
    assert now
    assert not seen & now
    assert abs(correlation(before, after)) < 0.2


def test_a_small_move_shifts_the_image_by_the_expected_pixels() -> None:
    model = small_model()
    before = model.snap()
    pixel = model.pixel_size_um()
    model.x_um += 13 * pixel
    model.y_um -= 7 * pixel
    # the sample moves opposite to the stage in the image: x is columns, y is rows
    assert image_shift(before, model.snap()) == (7, -13)


def test_closed_shutter_gives_offset_dark_current_and_read_noise_only() -> None:
    model = small_model(exposure_s=10.0, offset_adu=100.0, gain=2.0)
    model.shutter_open = False
    frame = model.snap().astype(np.float64)
    dark_e = model.sensor.dark_current_e_per_s * 10.0
    expected_mean = 100.0 + 2.0 * dark_e
    expected_std = 2.0 * np.sqrt(dark_e + model.sensor.read_noise_e**2)
    assert frame.mean() == pytest.approx(expected_mean, abs=0.05)
    # integer rounding adds 1/12 ADU^2 of variance
    assert frame.std() == pytest.approx(np.sqrt(expected_std**2 + 1 / 12), rel=0.03)


def test_dark_light_source_gives_the_same_dark_frame_statistics() -> None:
    model = small_model(exposure_s=1.0)
    model.light_on = False
    frame = model.snap()
    assert signal_above_offset(model, frame) == pytest.approx(0.0, abs=0.05)


def test_doubling_exposure_doubles_the_signal_above_offset() -> None:
    model = small_model(exposure_s=0.02)
    single = signal_above_offset(model, model.snap())
    model.camera = CameraSettings(exposure_s=0.04)
    double = signal_above_offset(model, model.snap())
    assert single > 5.0
    assert double / single == pytest.approx(2.0, rel=0.02)


def test_signal_is_proportional_to_light_power() -> None:
    model = small_model()
    model.light_power = 20.0
    low = signal_above_offset(model, model.snap())
    model.light_power = 60.0
    assert signal_above_offset(model, model.snap()) / low == pytest.approx(3.0, rel=0.02)


def test_changing_channel_changes_which_objects_appear() -> None:
    model = small_model(exposure_s=0.2)
    frames = {}
    for number, name in enumerate(("DAPI", "FITC", "TRITC")):
        model.channel = number
        frames[name] = model.snap()
    model.channel = 1
    assert correlation(frames["FITC"], model.snap()) > 0.9
    # cytoplasm (GFP) is seen through FITC, not DAPI; puncta (mCherry) through TRITC, not FITC
    assert _bright_in_first_only(model, frames["FITC"], frames["DAPI"]) > 100
    assert _bright_in_first_only(model, frames["TRITC"], frames["FITC"]) > 100


def _bright_in_first_only(model: MicroscopeModel, first: np.ndarray, second: np.ndarray) -> int:
    """Count pixels brighter than the first frame's 99th percentile, dark in the second."""
    a = first.astype(np.float64) - model.camera.offset_adu
    b = second.astype(np.float64) - model.camera.offset_adu
    return int(((a > np.percentile(a, 99)) & (b < 0.2 * np.percentile(b, 99))).sum())


def test_saturated_pixels_clip_at_full_scale() -> None:
    model = small_model(exposure_s=2.0, bit_depth=12, gain=4.0)
    frame = model.snap()
    assert frame.dtype == np.uint16
    assert frame.max() == 4095
    assert (frame == 4095).sum() > 10
    model.camera = CameraSettings(exposure_s=2.0, bit_depth=8, gain=4.0)
    eight = model.snap()
    assert eight.dtype == np.uint8
    assert eight.max() == 255


def test_same_seed_gives_identical_frames_and_another_seed_does_not() -> None:
    first, second, other = small_model(seed=11), small_model(seed=11), small_model(seed=12)
    for _ in range(3):
        frame = first.snap()
        np.testing.assert_array_equal(frame, second.snap())
    assert not np.array_equal(frame, other.snap())


def test_photobleaching_dims_the_lit_field_with_cumulative_exposure() -> None:
    spec = SampleSpec(bleach_time_s=(0.5, 0.5, 0.5))
    model = MicroscopeModel(
        seed=3,
        sensor=SENSOR,
        sample_spec=spec,
        objective=1,
        light_power=100.0,
        camera=CameraSettings(exposure_s=0.1),
    )
    first = signal_above_offset(model, model.snap())
    for _ in range(4):
        last = signal_above_offset(model, model.snap())
    # 0.1 s frames at full power, 0.5 s bleach time: the fifth sees exp(-0.4/0.5) of the first
    assert last / first == pytest.approx(np.exp(-4 / 5), rel=0.05)
    model.x_um += model.field_of_view_um()[0]
    fresh = model.snap()  # a new field is not bleached
    assert signal_above_offset(model, fresh) > 0


def test_poisson_noise_model_agrees_with_the_fast_one() -> None:
    fast = small_model(exposure_s=0.2)
    exact = MicroscopeModel(
        seed=3, sensor=SENSOR, objective=1, noise="poisson", camera=CameraSettings(exposure_s=0.2)
    )
    expected = fast.expected_electrons()
    frames = [fast.snap().astype(np.float64), exact.snap().astype(np.float64)]
    for frame in frames:
        residual = frame - expected - fast.camera.offset_adu
        assert residual.mean() == pytest.approx(0.0, abs=0.05)
    variance = [np.var(frame - expected) for frame in frames]
    assert variance[0] == pytest.approx(variance[1], rel=0.05)


def test_binning_sums_pixels_and_roi_crops() -> None:
    full = small_model(exposure_s=0.2)
    whole = full.expected_electrons()
    binned = small_model(exposure_s=0.2, binning=2)
    assert binned.frame_shape() == (256, 256)
    assert binned.pixel_size_um() == pytest.approx(2 * full.pixel_size_um())
    assert binned.expected_electrons().sum() == pytest.approx(whole.sum(), rel=0.01)
    cropped = small_model(exposure_s=0.2, roi=(128, 64, 256, 128))
    np.testing.assert_allclose(
        cropped.expected_electrons(), whole[128:384, 64:192], rtol=1e-3, atol=1e-2
    )


def test_frame_period_is_set_by_exposure_readout_and_max_rate() -> None:
    model = small_model(exposure_s=0.001)
    assert model.frame_period_s() == pytest.approx(1 / model.sensor.max_frame_rate_hz)
    model.camera = CameraSettings(exposure_s=0.05)
    assert model.frame_period_s() == pytest.approx(0.05)


def test_pattern_mode_skips_physics_and_numbers_frames() -> None:
    model = MicroscopeModel(seed=1, sensor=SENSOR, mode="pattern")
    first, second = model.snap(), model.snap()
    assert first.flat[0] == 0
    assert second.flat[0] == 1
    np.testing.assert_array_equal(first.flat[1:], second.flat[1:])


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"bit_depth": 11}, "bit_depth"),
        ({"binning": 3}, "binning"),
        ({"roi": (0, 0, 100, 101), "binning": 2}, "multiples of the binning"),
        ({"roi": (400, 0, 200, 100)}, "reaches past the sensor"),
        ({"exposure_s": 0.0}, "exposure_s"),
        ({"gain": -1.0}, "gain"),
    ],
)
def test_bad_camera_settings_are_refused_by_name(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CameraSettings(**settings).check(SENSOR)  # type: ignore[arg-type]


def test_objective_refuses_an_impossible_aperture() -> None:
    with pytest.raises(ValueError, match="NA"):
        Objective("bad", 10.0, 1.2)

"""The camera's sensor (fixed properties) and its settings (what a user changes between frames)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SensorSpec:
    """A scientific CMOS sensor: geometry, noise, full well and readout speed."""

    shape: tuple[int, int] = (2048, 2048)
    pixel_um: float = 6.5
    read_noise_e: float = 1.6
    dark_current_e_per_s: float = 0.6
    full_well_e: float = 30000.0
    row_time_s: float = 4.9e-6
    max_frame_rate_hz: float = 100.0

    def __post_init__(self) -> None:
        if min(self.shape) < 1:
            raise ValueError(f"sensor shape must be positive, got {self.shape}")
        if self.pixel_um <= 0 or self.row_time_s <= 0 or self.max_frame_rate_hz <= 0:
            raise ValueError("sensor pixel_um, row_time_s and max_frame_rate_hz must be > 0")
        if self.read_noise_e < 0 or self.dark_current_e_per_s < 0 or self.full_well_e <= 0:
            raise ValueError("sensor noise figures must be >= 0 and full_well_e > 0")


BIT_DEPTHS = (8, 10, 12, 14, 16)
"""The bit depths the simulated camera can digitise at."""


@dataclass(frozen=True)
class CameraSettings:
    """Exposure, gain (ADU per electron), offset, binning, ROI and bit depth of the next frame.

    ``roi`` is (row, col, rows, cols) in unbinned sensor pixels, multiples of ``binning``;
    ``None`` reads the whole sensor.
    """

    exposure_s: float = 0.01
    gain: float = 1.0
    offset_adu: float = 100.0
    binning: int = 1
    roi: tuple[int, int, int, int] | None = None
    bit_depth: int = 16

    def check(self, sensor: SensorSpec) -> None:
        """Raise ``ValueError`` naming the first setting the sensor cannot honour."""
        if not 0 < self.exposure_s <= 3600:
            raise ValueError(f"exposure_s must be in (0, 3600], got {self.exposure_s}")
        if self.gain <= 0:
            raise ValueError(f"gain (ADU per electron) must be > 0, got {self.gain}")
        if self.bit_depth not in BIT_DEPTHS:
            raise ValueError(f"bit_depth must be one of {BIT_DEPTHS}, got {self.bit_depth}")
        if not 0 <= self.offset_adu < self.max_value:
            raise ValueError(f"offset_adu must be in [0, {self.max_value}), got {self.offset_adu}")
        if self.binning not in (1, 2, 4, 8):
            raise ValueError(f"binning must be 1, 2, 4 or 8, got {self.binning}")
        row, col, rows, cols = self.sensor_roi(sensor)
        if rows < self.binning or cols < self.binning or min(row, col) < 0:
            raise ValueError(f"roi {self.roi} is empty or starts outside the sensor")
        if row + rows > sensor.shape[0] or col + cols > sensor.shape[1]:
            raise ValueError(f"roi {self.roi} reaches past the sensor {sensor.shape}")
        if any(v % self.binning for v in (row, col, rows, cols)):
            raise ValueError(f"roi {self.roi} must be in multiples of the binning {self.binning}")

    @property
    def max_value(self) -> int:
        """Return the full-scale digital value, 2**bit_depth - 1."""
        return (1 << self.bit_depth) - 1

    @property
    def dtype(self) -> np.dtype[np.unsignedinteger]:
        """Return the frames' numpy dtype: uint8 up to 8 bits, uint16 above."""
        return np.dtype(np.uint8) if self.bit_depth <= 8 else np.dtype(np.uint16)

    def sensor_roi(self, sensor: SensorSpec) -> tuple[int, int, int, int]:
        """Return the ROI in sensor pixels (the whole sensor when unset)."""
        return self.roi if self.roi is not None else (0, 0, *sensor.shape)

    def binned_roi(self, sensor: SensorSpec) -> tuple[int, int, int, int]:
        """Return the ROI in binned pixels."""
        return tuple(v // self.binning for v in self.sensor_roi(sensor))  # type: ignore[return-value]

    def frame_shape(self, sensor: SensorSpec) -> tuple[int, int]:
        """Return the shape (rows, cols) of the frames these settings produce."""
        _, _, rows, cols = self.binned_roi(sensor)
        return rows, cols

    def readout_time_s(self, sensor: SensorSpec) -> float:
        """Return the time to read the ROI's rows out (rolling readout)."""
        return sensor.row_time_s * self.sensor_roi(sensor)[2]

    def frame_period_s(self, sensor: SensorSpec) -> float:
        """Return the time between frames of a sequence (exposure overlaps readout)."""
        floor = max(self.readout_time_s(sensor), 1.0 / sensor.max_frame_rate_hz)
        return max(self.exposure_s, floor)

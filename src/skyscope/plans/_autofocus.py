"""Software autofocus: a coarse-to-fine focus sweep scored by an image sharpness metric.

An adaptive plan: each sweep is centred on the sharpest frame of the previous, coarser one, and
the last is refined by fitting a parabola through the best score and its neighbours. Frames are
scored on a worker thread (``asyncio.to_thread``), never on the engine's loop, and are not saved.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..engine import Msg, Return
from ._scope_protocol import CameraLike, MicroscopeLike
from ._sharpness import METRICS, NumericFrame, SharpnessMetric
from ._stubs import mv, new_group


@dataclass(frozen=True)
class FocusSweep:
    """How to search: the first sweep's half-width and step, the finest step, the shrink factor."""

    half_range_um: float = 60.0
    coarse_step_um: float = 10.0
    fine_step_um: float = 0.4
    shrink: float = 5.0

    def __post_init__(self) -> None:
        if not 0 < self.fine_step_um <= self.coarse_step_um <= 2 * self.half_range_um:
            raise ValueError(
                "autofocus needs 0 < fine_step_um <= coarse_step_um <= 2 * half_range_um, got "
                f"{self.fine_step_um}, {self.coarse_step_um}, {self.half_range_um}"
            )
        if self.shrink <= 1:
            raise ValueError(f"autofocus shrink factor must be > 1, got {self.shrink}")

    def levels(self) -> list[tuple[float, float]]:
        """Return the (half-width, step) of every sweep, coarse to fine."""
        levels = [(self.half_range_um, self.coarse_step_um)]
        while levels[-1][1] > self.fine_step_um * (1 + 1e-9):
            step = levels[-1][1]
            levels.append((step, max(step / self.shrink, self.fine_step_um)))
        return levels


@dataclass(frozen=True)
class FocusResult:
    """Where focus is (µm), its score, and every (z, score) measured on the way."""

    z_um: float
    score: float
    samples: tuple[tuple[float, float], ...]

    @property
    def frames(self) -> int:
        """How many frames the search took."""
        return len(self.samples)


def resolve_metric(metric: str | SharpnessMetric) -> SharpnessMetric:
    """Return the metric named ``metric`` (or ``metric`` itself if it is callable)."""
    if callable(metric):
        return metric
    try:
        return METRICS[metric]
    except KeyError:
        raise ValueError(f"unknown sharpness metric {metric!r}: one of {sorted(METRICS)}") from None


def check_inline_camera(camera: CameraLike) -> None:
    """Refuse a camera whose frames go to its own file: autofocus must see them, not save them."""
    if camera.writer is not None:
        raise ValueError(
            f"software autofocus needs frames back from {camera.name!r}, but it writes them to "
            "its own file: build the microscope without a writer (give mda() the writer)"
        )


async def find_focus(
    microscope: MicroscopeLike,
    *,
    center_um: float | None = None,
    sweep: FocusSweep | None = None,
    metric: str | SharpnessMetric = "denoised_brenner",
) -> AsyncGenerator[Any, Any]:
    """Search for the sharpest focus around a centre; return a ``FocusResult``.

    The focus drive is left at the best position found.

    Parameters
    ----------
    microscope
        The microscope whose focus drive moves and whose camera takes the frames.
    center_um
        Where to centre the search, in µm (default: where the focus is now).
    sweep
        How to search: the first sweep's half-width and step, the finest step.
    metric
        The sharpness metric to maximise: one of ``skyscope.plans.METRICS`` by name.

    """
    score = resolve_metric(metric)
    plan = sweep or FocusSweep()
    check_inline_camera(microscope.camera)
    if center_um is None:
        where = yield Msg("locate", microscope.focus)
        center_um = float(where["setpoint"])
    samples: list[tuple[float, float]] = []
    best = center_um
    for half, step in plan.levels():
        zs = _positions(best, half, step)
        scores = []
        for z in zs:
            value = yield _score_at(microscope, z, score)
            scores.append(value)
            samples.append((z, value))
        best = _refine(zs, scores) if step <= plan.fine_step_um * (1 + 1e-9) else _peak(zs, scores)
    yield mv(microscope.focus, best)
    yield Return(FocusResult(best, max(s for _, s in samples), tuple(samples)))


async def autofocus(
    microscope: MicroscopeLike,
    *,
    center_um: float | None = None,
    sweep: FocusSweep | None = None,
    metric: str | SharpnessMetric = "denoised_brenner",
) -> AsyncGenerator[Any, Any]:
    """Focus the microscope (a coarse-to-fine sweep) and return the best focus position, in µm.

    Parameters
    ----------
    microscope
        The microscope whose focus drive moves and whose camera takes the frames.
    center_um
        Where to centre the search, in µm (default: where the focus is now).
    sweep
        How to search: the first sweep's half-width and step, the finest step.
    metric
        The sharpness metric to maximise: one of ``skyscope.plans.METRICS`` by name.

    """
    result = yield find_focus(microscope, center_um=center_um, sweep=sweep, metric=metric)
    yield Return(result.z_um)


def _positions(center: float, half: float, step: float) -> list[float]:
    count = math.floor(half / step + 1e-9)
    return [center + k * step for k in range(-count, count + 1)]


async def _score_at(
    microscope: MicroscopeLike, z: float, metric: SharpnessMetric
) -> AsyncGenerator[Any, Any]:
    yield mv(microscope.focus, z)
    frame = yield snap(microscope.camera)
    value = await asyncio.to_thread(metric, frame)
    yield Return(value)


async def snap(camera: CameraLike, *, timeout: float | None = None) -> AsyncGenerator[Any, Any]:
    """Trigger ``camera`` and return its frame (outside any event: nothing is saved).

    Parameters
    ----------
    camera
        The camera to take the frame with (frames come back inline, not to a file).
    timeout
        Seconds the frame may take before the engine fails it (None: no limit).

    """
    group = new_group("snap")
    limit = {} if timeout is None else {"timeout": timeout}  # bluesky's trigger takes none
    yield Msg("trigger", camera, group=group, **limit)
    yield Msg("wait", None, group=group)
    reading = yield Msg("read", camera)
    yield Return(frame_of(reading, camera.name))


def frame_of(reading: dict[str, Any], camera: str) -> NumericFrame:
    """Return the 2-D image in a camera's reading, or say there is none."""
    for value in reading.values():
        image = value.get("value") if isinstance(value, dict) else None
        if isinstance(image, np.ndarray) and image.ndim == 2:
            return image
    raise ValueError(f"{camera!r} returned no frame in its reading (keys {sorted(reading)})")


def _peak(zs: Sequence[float], scores: Sequence[float]) -> float:
    return zs[int(np.argmax(scores))]


def _refine(zs: Sequence[float], scores: Sequence[float]) -> float:
    """Return the vertex of the parabola through the best score and its neighbours."""
    k = int(np.argmax(scores))
    if k == 0 or k == len(zs) - 1:
        return zs[k]
    left, mid, right = scores[k - 1], scores[k], scores[k + 1]
    if min(left, mid, right) > 0:  # a focus peak is closer to a Gaussian: fit its logarithm
        left, mid, right = math.log(left), math.log(mid), math.log(right)
    curvature = left - 2 * mid + right
    if curvature >= 0:
        return zs[k]
    step = zs[k + 1] - zs[k]
    offset = 0.5 * (left - right) / curvature
    return zs[k] + max(-0.5, min(0.5, offset)) * step

"""Render what the camera sees: the sample's Gaussians, blurred by the optics, on the pixel grid.

Each component's covariance grows by the in-focus spot and by the defocus blur of its distance
from the focal plane (widefield: the light is conserved, only spread). Small spots are drawn in
batches on the frame; wide, defocused ones on coarser grids of a pyramid that is collapsed with
bilinear upsampling, so a far-out-of-focus field costs about as much as a sharp one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ._optics import Channel, Objective
from ._sample import Sample

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
Index = npt.NDArray[np.intp]

_REACH = 4.0  # draw each Gaussian out to this many sigma
_FINE_SIGMA_PX = 6.0  # wider spots go to coarser pyramid levels (sigma there in [3, 6) px)
_HALF_SIZES = np.array([1, 2, 3, 4, 6, 8, 12, 16, 20, 24])
_BATCH_ELEMENTS = 1 << 20
_LEVEL_PAD = 2  # coarse pyramid levels reach this many of their pixels past the frame


def _pad(level: int) -> int:
    """Return a level's margin in its own pixels: none on the frame, _LEVEL_PAD on coarser ones."""
    return 0 if level == 0 else _LEVEL_PAD


@dataclass(frozen=True)
class View:
    """Where the microscope looks: stage centre, focal plane, optics and the frame's pixels."""

    x_um: float
    y_um: float
    z_um: float
    objective: Objective
    channel: Channel
    pixel_um: float
    sensor_shape: tuple[int, int]
    roi: tuple[int, int, int, int]

    @property
    def shape(self) -> tuple[int, int]:
        """Return the rendered frame's (rows, cols)."""
        return self.roi[2], self.roi[3]

    def origin_um(self) -> tuple[float, float]:
        """Return the world (x, y) of the frame's top-left pixel corner."""
        row0, col0 = self.roi[0], self.roi[1]
        x = self.x_um + (col0 - self.sensor_shape[1] / 2) * self.pixel_um
        y = self.y_um + (row0 - self.sensor_shape[0] / 2) * self.pixel_um
        return x, y

    def field_half_size_um(self) -> tuple[float, float]:
        """Return half the full sensor's field of view (x, y) in µm."""
        return self.sensor_shape[1] * self.pixel_um / 2, self.sensor_shape[0] * self.pixel_um / 2


@dataclass
class _Spots:
    """Components to draw, in one level's pixel units."""

    u: F64
    v: F64
    var_uu: F64
    var_uv: F64
    var_vv: F64
    amplitude: F64


def illuminated(sample: Sample, view: View) -> Index:
    """Return the components inside the illuminated field (the full sensor's view)."""
    half_x, half_y = view.field_half_size_um()
    inside = (np.abs(sample.x - view.x_um) <= half_x) & (np.abs(sample.y - view.y_um) <= half_y)
    return np.flatnonzero(inside)


def render_scene(sample: Sample, view: View) -> tuple[F32, Index]:
    """Return photoelectrons/s per pixel at full light power, and the components drawn."""
    index, spots = _visible_spots(sample, view)
    rows, cols = view.shape
    sigma_max = np.sqrt(np.maximum(spots.var_uu, spots.var_vv))
    level = np.zeros(sigma_max.size, dtype=np.intp)
    wide = sigma_max > _FINE_SIGMA_PX
    level[wide] = np.floor(np.log2(sigma_max[wide] / (_FINE_SIGMA_PX / 2))).astype(np.intp)
    image: F32 | None = None
    for lvl in range(int(level.max(initial=0)), -1, -1):
        factor, pad = 1 << lvl, _pad(lvl)
        shape = (-(-rows // factor) + 2 * pad, -(-cols // factor) + 2 * pad)
        if image is not None:
            image = _upsample2(image, 2 * _LEVEL_PAD - pad, shape)
        chosen = np.flatnonzero(level == lvl)
        if chosen.size:
            image = image if image is not None else np.zeros(shape, dtype=np.float32)
            image = np.ascontiguousarray(image)
            _draw(image, _scaled(spots, chosen, factor, pad))
    result = np.zeros(view.shape, dtype=np.float32) if image is None else image
    return np.ascontiguousarray(result), index


def _visible_spots(sample: Sample, view: View) -> tuple[Index, _Spots]:
    """Select the components whose blurred light reaches the frame; convert to pixel units."""
    wavelength = view.channel.emission_um
    psf_var = view.objective.psf_sigma_um(wavelength) ** 2
    defocus_var = view.objective.defocus_sigma_um(sample.z - view.z_um) ** 2
    excitation = np.asarray(view.channel.excitation)[sample.fluorophore]
    reach = _REACH * np.sqrt(np.maximum(sample.var_xx, sample.var_yy) + psf_var + defocus_var)
    x0, y0 = view.origin_um()
    x1 = x0 + view.shape[1] * view.pixel_um
    y1 = y0 + view.shape[0] * view.pixel_um
    keep = (
        (excitation > 0)
        & (sample.x + reach >= x0)
        & (sample.x - reach <= x1)
        & (sample.y + reach >= y0)
        & (sample.y - reach <= y1)
    )
    index = np.flatnonzero(keep)
    px2 = view.pixel_um**2
    blur = (psf_var + defocus_var[index]) / px2 + 1.0 / 12.0
    amplitude = sample.brightness[index] * excitation[index] * sample.bleach_factor(index)
    spots = _Spots(
        u=(sample.x[index] - x0) / view.pixel_um,
        v=(sample.y[index] - y0) / view.pixel_um,
        var_uu=sample.var_xx[index] / px2 + blur,
        var_uv=sample.var_xy[index] / px2,
        var_vv=sample.var_yy[index] / px2 + blur,
        amplitude=amplitude,
    )
    return index, spots


def _scaled(spots: _Spots, chosen: Index, factor: int, pad: int) -> _Spots:
    """Return the chosen spots in the pixels of a level ``factor`` times coarser, with margin."""
    f2 = float(factor * factor)
    return _Spots(
        u=spots.u[chosen] / factor + pad,
        v=spots.v[chosen] / factor + pad,
        var_uu=spots.var_uu[chosen] / f2,
        var_uv=spots.var_uv[chosen] / f2,
        var_vv=spots.var_vv[chosen] / f2,
        amplitude=spots.amplitude[chosen],
    )


def _half_size(variance: F64) -> Index:
    """Round each spot's reach up to one of a few patch half-sizes (so spots batch together)."""
    need = np.ceil(_REACH * np.sqrt(variance)).astype(np.intp)
    position = np.minimum(np.searchsorted(_HALF_SIZES, need), _HALF_SIZES.size - 1)
    return np.asarray(_HALF_SIZES[position], dtype=np.intp)


def _draw(image: F32, spots: _Spots) -> None:
    """Add every spot to ``image``, batching spots that share a patch size."""
    hu, hv = _half_size(spots.var_uu), _half_size(spots.var_vv)
    groups = hu * 1000 + hv
    flats: list[Index] = []
    weights: list[F64] = []
    for key in np.unique(groups):
        members = np.flatnonzero(groups == key)
        half_u, half_v = int(key // 1000), int(key % 1000)
        per_spot = (2 * half_u + 1) * (2 * half_v + 1)
        step = max(1, _BATCH_ELEMENTS // per_spot)
        for start in range(0, members.size, step):
            batch = members[start : start + step]
            flat, weight = _patches(image.shape, spots, batch, half_u, half_v)
            flats.append(flat)
            weights.append(weight)
    total = np.bincount(np.concatenate(flats), np.concatenate(weights), minlength=image.size)
    image += total.reshape(image.shape).astype(np.float32)


def _patches(
    shape: tuple[int, ...], spots: _Spots, members: Index, half_u: int, half_v: int
) -> tuple[Index, F64]:
    """Evaluate equally sized patches normalised to their amplitudes: (pixel index, value)."""
    u, v = spots.u[members], spots.v[members]
    det = spots.var_uu[members] * spots.var_vv[members] - spots.var_uv[members] ** 2
    inv_uu = (spots.var_vv[members] / det)[:, None, None]
    inv_uv = (-spots.var_uv[members] / det)[:, None, None]
    inv_vv = (spots.var_uu[members] / det)[:, None, None]
    cols = (np.floor(u).astype(np.intp) - half_u)[:, None] + np.arange(2 * half_u + 1)
    rows = (np.floor(v).astype(np.intp) - half_v)[:, None] + np.arange(2 * half_v + 1)
    du = (cols + 0.5 - u[:, None])[:, None, :]
    dv = (rows + 0.5 - v[:, None])[:, :, None]
    weight = np.exp(-0.5 * (inv_uu * du * du + 2.0 * inv_uv * du * dv + inv_vv * dv * dv))
    weight *= (spots.amplitude[members] / weight.sum(axis=(1, 2)))[:, None, None]
    n_rows, n_cols = shape
    inside = ((rows >= 0) & (rows < n_rows))[:, :, None] & ((cols >= 0) & (cols < n_cols))[
        :, None, :
    ]
    flat = rows[:, :, None] * n_cols + cols[:, None, :]
    return flat[inside], weight[inside]


def _upsample2(coarse: F32, skip: int, shape: tuple[int, int]) -> F32:
    """Return ``coarse`` on a grid twice as fine (bilinear, energy kept), cropped to ``shape``.

    The finer grid starts ``skip`` of its pixels into the upsampled one: coarse level L starts
    P * 2^L frame pixels before the frame (P = _LEVEL_PAD), so that is P fine pixels between
    coarse levels and 2P onto the frame itself.
    """
    return _upsample_axis(_upsample_axis(coarse * 0.25, 0, skip, shape[0]), 1, skip, shape[1])


def _along(axis: int, part: slice | int) -> tuple[slice | int, ...]:
    """Return an index that applies ``part`` along ``axis`` of a 2-D array."""
    return (part,) if axis == 0 else (slice(None), part)


def _upsample_axis(a: F32, axis: int, skip: int, size: int) -> F32:
    """Bilinear x2 along one axis: fine pixel 2j sits at j-1/4, 2j+1 at j+1/4 in coarse units."""
    fine_shape = list(a.shape)
    fine_shape[axis] = 2 * a.shape[axis]
    fine = np.empty(fine_shape, dtype=a.dtype)
    even, odd = fine[_along(axis, slice(0, None, 2))], fine[_along(axis, slice(1, None, 2))]
    np.multiply(a, 0.75, out=even)
    odd[...] = even
    quarter = a * 0.25
    even[_along(axis, slice(1, None))] += quarter[_along(axis, slice(None, -1))]
    even[_along(axis, 0)] += quarter[_along(axis, 0)]
    odd[_along(axis, slice(None, -1))] += quarter[_along(axis, slice(1, None))]
    odd[_along(axis, -1)] += quarter[_along(axis, -1)]
    return fine[_along(axis, slice(skip, skip + size))]

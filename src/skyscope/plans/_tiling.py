"""Tiled acquisition: a grid of overlapping fields around a centre, run as one MDA.

The grid is useq's ``GridRowsColumns`` (snake order by default), so the tiles land in the
``primary`` stream with their grid index ``g`` and stage positions; ``stitch`` places them.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from typing import TYPE_CHECKING, Any

from ..engine import Msg, Return
from ..writers import FrameWriter
from ._mda import mda
from ._plan_md import jsonable
from ._scope_protocol import MicroscopeLike, check_microscope

if TYPE_CHECKING:
    from useq import MDASequence


def tile_sequence(
    center_um: tuple[float, float],
    *,
    rows: int,
    columns: int,
    field_of_view_um: tuple[float, float],
    overlap: float = 0.1,
    channel: str | None = None,
    exposure_ms: float | None = None,
    mode: str = "row_wise_snake",
) -> MDASequence:
    """Return the useq sequence of a ``rows`` x ``columns`` grid; ``overlap`` is a fraction."""
    from useq import MDASequence

    if rows < 1 or columns < 1:
        raise ValueError(f"a tile grid needs rows and columns >= 1, got {rows} x {columns}")
    if not 0 <= overlap < 1:
        raise ValueError(f"overlap is a fraction of the field in [0, 1), got {overlap}")
    width, height = field_of_view_um
    channels = [{"config": channel, "exposure": exposure_ms}] if channel else []
    return MDASequence(
        stage_positions=[{"x": center_um[0], "y": center_um[1]}],
        grid_plan={
            "rows": rows,
            "columns": columns,
            "overlap": overlap * 100.0,
            "mode": mode,
            "fov_width": width,
            "fov_height": height,
        },
        channels=channels,
    )


async def tile_scan(
    microscope: MicroscopeLike,
    *,
    rows: int,
    columns: int,
    field_of_view_um: tuple[float, float],
    overlap: float = 0.1,
    center_um: tuple[float, float] | None = None,
    channel: str | None = None,
    exposure_ms: float | None = None,
    writer: FrameWriter | None = None,
    md: Mapping[str, Any] | None = None,
) -> AsyncGenerator[Any, Any]:
    """Acquire a grid of overlapping tiles around a centre as one run (an MDA of the grid).

    Parameters
    ----------
    microscope
        The microscope to drive.
    rows
        Tiles along y.
    columns
        Tiles along x.
    field_of_view_um
        The camera's field of view at the sample, (width, height) in µm.
    overlap
        How much neighbouring tiles overlap, as a fraction of the field in [0, 1).
    center_um
        The (x, y) centre of the grid in µm (default: where the stage is).
    channel
        The channel to image in, by its filter wheel name (default: the current one).
    exposure_ms
        The exposure time in ms (default: the camera's current one).
    writer
        Stores the frames, as for ``mda``.
    md
        Added to the run's start document.

    """
    plan_args = {
        "microscope": microscope,
        "rows": rows,
        "columns": columns,
        "field_of_view_um": field_of_view_um,
        "overlap": overlap,
        "center_um": center_um,
        "channel": channel,
        "exposure_ms": exposure_ms,
        "writer": writer,
    }
    scope = check_microscope(microscope)
    if center_um is None:
        where = yield Msg("locate", scope.xy)
        center_um = (float(where["readback"][0]), float(where["readback"][1]))
    sequence = tile_sequence(
        center_um,
        rows=rows,
        columns=columns,
        field_of_view_um=field_of_view_um,
        overlap=overlap,
        channel=channel,
        exposure_ms=exposure_ms,
    )
    tile_md = {
        "plan_name": "tile_scan",
        "plan_args": jsonable(plan_args),
        "tiles": [rows, columns],
        "overlap": overlap,
    }
    taken = yield mda(sequence, scope, writer=writer, md={**tile_md, **(md or {})})
    yield Return(taken)

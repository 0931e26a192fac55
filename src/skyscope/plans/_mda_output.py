"""``mda(..., output=...)``: the frames written, as they come, into the final OME layout.

One image per position with the sequence's axes, in the format the path's suffix names:
``.ome.zarr`` (OME-Zarr, NGFF 0.5), ``.ome.tif``/``.ome.tiff`` (OME-TIFF, one file per
position) or ``.h5``/``.hdf5`` (HDF5, one dataset per position). Events reference each frame
where it lies (one stream resource per image).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import statistics
from collections.abc import AsyncGenerator, AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..documents import DataKey, Reading, StreamAsset
from ..engine import Return
from ..writers import (
    FrameWriter,
    HDF5ImageWriter,
    ImageSetWriter,
    OMETiffImageWriter,
    OMEZarrImageWriter,
)
from ._autofocus import snap
from ._mda_events import iter_events
from ._mda_layout import MdaLayout
from ._mda_origin import FocusOrigin
from ._mda_outline import fresh_copy
from ._mda_record import CameraConfiguration
from ._scope_protocol import CameraLike, MicroscopeLike

if TYPE_CHECKING:
    from useq import MDAEvent, MDASequence

_FORMATS: tuple[tuple[tuple[str, ...], type[ImageSetWriter]], ...] = (
    ((".ome.zarr", ".zarr"), OMEZarrImageWriter),
    ((".ome.tif", ".ome.tiff"), OMETiffImageWriter),
    ((".h5", ".hdf5"), HDF5ImageWriter),
)


Output = str | os.PathLike[str] | ImageSetWriter
"""Where ``mda`` writes: a path whose suffix names the format, or a configured writer."""


def output_writer(output: Output) -> ImageSetWriter:
    """Return the writer for ``output``'s suffix; refuse unknown suffixes and existing paths."""
    if isinstance(output, ImageSetWriter):
        return output
    path = Path(output)
    name = path.name.lower()
    for suffixes, writer in _FORMATS:
        if name.endswith(suffixes):
            if path.exists():
                raise ValueError(f"output {str(path)!r} exists already: mda never overwrites")
            return writer(path)
    known = ", ".join(s for suffixes, _ in _FORMATS for s in suffixes)
    raise ValueError(f"output {str(path)!r}: the name must end in one of {known}")


def check_output(
    scope: MicroscopeLike, output: Output, writer: FrameWriter | None
) -> ImageSetWriter:
    """Return the writer of ``output``; refuse it beside another writer of the frames."""
    if writer is not None or scope.camera.writer is not None:
        who = "mda(writer=...)" if writer is not None else f"{scope.camera.name!r}'s own writer"
        raise ValueError(f"output= writes the frames itself: it cannot be combined with {who}")
    return output_writer(output)


async def output_frames(
    scope: MicroscopeLike,
    sequence: MDASequence,
    writer: ImageSetWriter,
    pixel_size_um: float | None,
    origin: FocusOrigin,
) -> OutputFrames:
    """Plan the output's images from the sequence's events (off the loop)."""
    layout = await asyncio.to_thread(_plan_layout, sequence, pixel_size_um, origin)
    return OutputFrames(scope.camera, writer, layout)


def _plan_layout(
    sequence: MDASequence, pixel_size_um: float | None, origin: FocusOrigin
) -> MdaLayout:
    """Plan from one timepoint when every timepoint is alike (a long time-lapse starts at once).

    A position's sub-sequence with its own time plan makes timepoints differ: then every event
    is looked at.
    """
    from useq import WellPlatePlan

    full = fresh_copy(sequence)
    plate = isinstance(full.stage_positions, WellPlatePlan)
    timepoints = int(full.sizes.get("t", 0))
    own_time = any(
        p.sequence is not None and p.sequence.time_plan is not None for p in full.stage_positions
    )
    if timepoints <= 1 or own_time or full.time_plan is None:
        return MdaLayout(
            iter_events(full), full.used_axes, pixel_size_um, plate=plate, z_shift=origin.shift
        )
    one = fresh_copy(sequence, one_timepoint=True)
    times = list(itertools.islice(full.time_plan, 1000))
    steps = [b - a for a, b in itertools.pairwise(times) if b > a]
    return MdaLayout(
        iter_events(one),
        full.used_axes,
        pixel_size_um,
        plate=plate,
        timepoints=timepoints,
        interval_s=statistics.median(steps) if steps else None,
        z_shift=origin.shift,
    )


class OutputFrames:
    """Frames handed back by the camera, written by the plan to their place in the output."""

    can_burst = False
    defers_events = True
    """A frame's event is saved once the next frame is taken, so writing overlaps taking."""

    def __init__(self, camera: CameraLike, writer: ImageSetWriter, layout: MdaLayout) -> None:
        """Write ``camera``'s frames through ``writer`` into ``layout``'s images."""
        self._camera = camera
        self._writer = writer
        self._layout = layout
        self._readable = _OutputReadable(camera, writer)

    @property
    def readable(self) -> Any:
        """The frames' references."""
        return self._readable

    def trigger_messages(self, timeout: float | None) -> None:
        """None: the plan also hands the frame to the writer (``acquire``)."""

    async def acquire(self, timeout: float | None, event: MDAEvent) -> AsyncGenerator[Any, Any]:
        """Snap a frame and queue it for its place; its event waits for it to be acknowledged.

        Not waiting here lets the disk work while the next frame is taken.
        """
        frame = yield snap(self._camera, timeout=timeout)
        if not self._readable.keys:
            source = f"camera://{self._camera.name}"
            self._readable.keys = await self._writer.open(
                f"{self._camera.name}-image",
                self._layout.images,
                frame.shape,
                frame.dtype,
                source=source,
            )
        image, coords = self._layout.address(event)
        await self._writer.write(frame, image, coords)
        yield Return(None)

    async def close(self) -> None:
        """Complete the metadata and close the output (it stays readable)."""
        if self._readable.keys:
            await self._writer.close()


class _OutputReadable(CameraConfiguration):
    """What each event reads: the image data key (external) and the frame's stream datum."""

    def __init__(self, camera: CameraLike, writer: ImageSetWriter) -> None:
        super().__init__(camera)
        self._name = camera.name
        self._writer = writer
        self._referenced = 0
        self.keys: dict[str, DataKey] = {}

    @property
    def name(self) -> str:
        """The camera's name."""
        return self._name

    @property
    def parent(self) -> None:
        """Stand-alone."""
        return None

    @property
    def hints(self) -> dict[str, list[str]]:
        """Nothing to plot inline: the frames are in the output."""
        return {"fields": []}

    async def read(self) -> dict[str, Reading[Any]]:
        """Nothing inline."""
        return {}

    async def describe(self) -> dict[str, DataKey]:
        """The image data key (``external: "STREAM:"``)."""
        return dict(self.keys)

    async def collect_asset_docs(self, index: int | None = None) -> AsyncIterator[StreamAsset]:
        """The next frame's stream documents, once it is acknowledged: one frame per event."""
        wanted = self._referenced + 1 if index is None else index
        await self._writer.acknowledged_at_least(wanted)
        self._referenced = max(self._referenced, wanted)
        for doc in self._writer.collect_stream_docs(wanted):
            yield doc

    def get_index(self) -> int:
        """How many frames are acknowledged."""
        return self._writer.get_indices_written()

"""A microscopy run's frames sorted into images: one per stage position, planes by (t, c, z).

``PlaneCollector`` follows one run's documents. Each row of the exported stream is a plane:
its indices come from the event's data keys ``t p g c z`` (useq's axes, as
``skyscope.plans.mda`` records them; -1 or absent means the axis is not used), and what is
known of it — the stage position (``x_um y_um z_um``), channel, exposure and when it started
(``started_s``) — from the same event. Its pixels are inline in the event or, for an external
(``STREAM:``) data key, in a detector's file: the frames the stream's datums reference, in the
order they arrive, are its rows 1, 2, 3… (as in the per-run HDF5 file). A stream without index
keys is a time series: plane ``t`` is the ``t``-th row; so are frames collected from a flyer
with no events at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from skyscope.documents import Event, EventDescriptor, RunStart, StreamDatum, StreamResource
from skyscope.writers import Frame

from ._ome_images import FrameLocation, Plane, PositionImage, RunImages
from ._ome_physical import PixelSize, find_pixel_size, pixel_size_from_keys, time_increment

INDEX_KEYS = ("t", "p", "g", "c", "z")
"""The event data keys giving a frame's place: useq's time, position, grid, channel, z indices."""


class PlaneCollector:
    """Follows a run's documents and sorts the frames of one stream into position images."""

    def __init__(
        self, stream: str, image_key: str | None, pixel_size_um: float | PixelSize | None
    ) -> None:
        self._stream = stream
        self._image_key = image_key
        self._pixel_size = pixel_size_from_keys({"pixel_size_um": pixel_size_um}, "arguments")
        self._start: RunStart | None = None
        self._key: str | None = None
        self._frame: tuple[tuple[int, int], np.dtype[Any]] | None = None
        self._descriptors: set[str] = set()
        self._images: dict[tuple[int, int], PositionImage] = {}
        self._channels: dict[int, str] = {}
        self._resources: dict[str, StreamResource] = {}
        self._frames: dict[str, list[FrameLocation]] = {}
        self._rows = 0
        self._with_events: set[str] = set()

    def start(self, doc: RunStart) -> None:
        """Remember the start document (sequence, pixel size, start time)."""
        self._start = doc
        self._pixel_size = self._pixel_size or pixel_size_from_keys(doc, "start document")

    def descriptor(self, doc: EventDescriptor) -> None:
        """Note a descriptor of the exported stream, and which data key holds the frames."""
        if doc.get("name") != self._stream or self._choose_key(doc) is None:
            return
        self._descriptors.add(doc["uid"])
        self._pixel_size = self._pixel_size or find_pixel_size(doc)
        data_key = doc["data_keys"][str(self._key)]
        shape = [n for n in data_key.get("shape") or () if isinstance(n, int)]
        if len(shape) == 2 and "dtype_numpy" in data_key:
            self._set_frame((shape[0], shape[1]), np.dtype(data_key["dtype_numpy"]))

    def event(self, doc: Event) -> None:
        """Add the event's frame as a plane of its position's image."""
        if doc["descriptor"] not in self._descriptors:
            return
        self._with_events.add(doc["descriptor"])
        data = doc["data"]
        where = {a: int(data[a]) if a in data else -1 for a in INDEX_KEYS}
        if all(value < 0 for value in where.values()):
            where["t"] = self._rows
        self._rows += 1
        t, p, g, c, z = (max(where[a], 0) for a in INDEX_KEYS)
        channel = data.get("channel")
        if isinstance(channel, str) and channel:
            self._channels.setdefault(c, channel)
        x_um, y_um, z_um, exposure_ms = (_number(data.get(k)) for k in _PLANE_NUMBERS)
        plane = Plane(
            t, c, z, _started(doc, self._start), x_um, y_um, z_um, exposure_ms,
            row=int(doc["seq_num"]),
            descriptor=doc["descriptor"],
            inline=self._inline_frame(data.get(str(self._key))),
        )  # fmt: skip
        self._place(self._image(p, g, where["g"] >= 0, data.get("pos_name")), plane)

    def stream_resource(self, doc: StreamResource) -> None:
        """Remember where frames are."""
        self._resources[doc["uid"]] = doc

    def stream_datum(self, doc: StreamDatum) -> None:
        """Add the datum's frames to the rows of its stream."""
        resource = self._resources.get(doc["stream_resource"])
        if doc["descriptor"] not in self._descriptors or resource is None:
            return
        if resource["data_key"] == self._key:
            indices = range(doc["indices"]["start"], doc["indices"]["stop"])
            self._frames.setdefault(doc["descriptor"], []).extend((resource, i) for i in indices)

    def run(self) -> RunImages | None:
        """Return the run's images, or None if it has no frames."""
        self._add_flyer_frames()
        for image in self._images.values():
            for place, plane in list(image.planes.items()):
                found = self._source(plane)
                if found is not None:
                    image.planes[place] = replace(plane, source=found)
                elif plane.inline is None:
                    del image.planes[place]  # no frame referenced for this row
        images = [self._images[key] for key in sorted(self._images) if self._images[key].planes]
        if self._start is None or self._frame is None or not images:
            return None
        return RunImages(
            start=self._start,
            images=images,
            frame_shape=self._frame[0],
            dtype=self._frame[1],
            channel_names=[self._channel_name(c) for c in range(max(i.sizes["c"] for i in images))],
            pixel_size=self._pixel_size,
            time_increment_s=time_increment(self._start, images),
        )

    def _source(self, plane: Plane) -> FrameLocation | None:
        """Return the frame of ``plane``'s row among its descriptor's referenced frames."""
        frames = self._frames.get(plane.descriptor, [])
        return frames[plane.row - 1] if 0 < plane.row <= len(frames) else None

    def _add_flyer_frames(self) -> None:
        """Frames of a descriptor with no events (collected from a flyer): a time series."""
        for descriptor, frames in self._frames.items():
            if descriptor in self._with_events:
                continue
            image = self._image(0, 0, False, None)
            for row in range(1, len(frames) + 1):
                self._place(image, Plane(self._rows, 0, 0, row=row, descriptor=descriptor))
                self._rows += 1
            self._with_events.add(descriptor)  # once, even if run() is called again

    def _place(self, image: PositionImage, plane: Plane) -> None:
        place = (plane.t, plane.c, plane.z)
        if place in image.planes:
            image.repeated.append(place)
        image.planes[place] = plane

    def _choose_key(self, doc: EventDescriptor) -> str | None:
        """Return the frames' data key: the one asked for, or the only 2-D array."""
        keys = doc["data_keys"]
        found: str | None
        if self._image_key is not None:
            if self._image_key not in keys:
                raise ValueError(
                    f"stream {self._stream!r} has no data key {self._image_key!r}; it has "
                    f"{sorted(keys)}"
                )
            found = self._image_key
        else:
            images = [k for k, v in keys.items() if len(v.get("shape") or ()) == 2]
            if len(images) > 1:
                raise ValueError(
                    f"stream {self._stream!r} holds several images {sorted(images)}: pass "
                    "image_key= to say which to export"
                )
            found = images[0] if images else None
        if found is not None and self._key not in (None, found):
            raise ValueError(f"the images of {self._stream!r} moved from {self._key} to {found}")
        self._key = found or self._key
        return found

    def _inline_frame(self, value: Any) -> Frame | None:
        """Return the frame an event carries, as the data key's type (JSON gives lists)."""
        if value is None:
            return None
        frame = np.asarray(value, dtype=self._frame[1] if self._frame else None)
        if frame.ndim != 2:
            raise ValueError(f"{self._key!r} holds a {frame.ndim}-D array, not a 2-D frame")
        self._set_frame((frame.shape[0], frame.shape[1]), frame.dtype)
        return frame

    def _set_frame(self, shape: tuple[int, int], dtype: np.dtype[Any]) -> None:
        if self._frame is None:
            self._frame = (shape, dtype)
        elif self._frame != (shape, dtype):
            raise ValueError(
                f"frames of {self._key!r} changed from {self._frame[0]} {self._frame[1]} to "
                f"{shape} {dtype}: one OME image holds frames of one shape and type"
            )

    def _image(self, p: int, g: int, gridded: bool, pos_name: Any) -> PositionImage:
        image = self._images.get((p, g))
        if image is None:
            base = pos_name if isinstance(pos_name, str) and pos_name else self._pos_name(p)
            name = f"{base}_g{g}" if gridded else base
            image = self._images[(p, g)] = PositionImage(name, (p, g))
        return image

    def _pos_name(self, p: int) -> str:
        positions = _sequence(self._start).get("stage_positions") or []
        named = positions[p].get("name") if p < len(positions) else None
        return str(named) if named else f"p{p}"

    def _channel_name(self, c: int) -> str:
        if c in self._channels:
            return self._channels[c]
        configs = _sequence(self._start).get("channels") or []
        return str(configs[c]["config"]) if c < len(configs) else f"channel {c}"


_PLANE_NUMBERS = ("x_um", "y_um", "z_um", "exposure_ms")
"""The event data keys giving a frame's stage position (µm) and exposure (ms)."""


def _sequence(start: RunStart | None) -> Mapping[str, Any]:
    """Return the useq sequence the MDA recorded in the start document (empty if none)."""
    sequence = _get(start, "mda_sequence")
    return sequence if isinstance(sequence, Mapping) else {}


def _started(doc: Event, start: RunStart | None) -> float:
    """Seconds from the run's start: ``started_s`` when recorded, else the event's time."""
    started = _number(doc["data"].get("started_s"))
    if started is not None:
        return started
    begun = _get(start, "time")
    return float(doc["time"]) - (float(begun) if begun is not None else float(doc["time"]))


def _get(start: RunStart | None, key: str) -> Any:
    """Return a start document's field (None without it)."""
    fields: Mapping[str, Any] = start or {}
    return fields.get(key)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None

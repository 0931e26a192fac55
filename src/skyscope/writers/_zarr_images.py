"""An MDA's images into one OME-Zarr (NGFF 0.5, zarr v3): one image group per position.

Each image's array is sharded (``_zarr_shards``): a shard file holds every channel and z plane
of as many timepoints as fit in ``SHARD_BYTES`` of raw pixels, each frame one compressed inner
chunk, its index at the start of the file and rewritten at each sync.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import zarr
from zarr.codecs import ShardingCodecIndexLocation
from zarr.core.array import ShardsConfigParam

from ._compression import Compression, checked_compression
from ._image_set import FrameAddress, ImageSpec
from ._image_set_sink import ImageSetSink
from ._image_set_writer import ImageSetWriter
from ._ngff import NGFF_VERSION, ngff_image
from ._queued_writer import DEFAULT_FLUSH_EVERY
from ._stream_assets import Frame
from ._zarr_frames import ARRAY_PATH, zarr_chunk_codec
from ._zarr_shards import ShardFiles, shard_extent


class OMEZarrImageWriter(ImageSetWriter):
    """Writes an MDA's positions as the images of one OME-Zarr store (``*.ome.zarr``).

    The layout is NGFF 0.5's collection of images (``bioformats2raw.layout``): image ``i`` is
    the group ``i`` with its array ``i/0`` of axes ``t, c, z, y, x`` (absent ones dropped).
    ``compression`` is lossless (lz4 by default; ``None`` stores raw pixels).
    """

    format_name = "OME-Zarr"

    def __init__(
        self,
        path: str | Path,
        *,
        compression: Compression | None = "lz4",
        compression_level: int | None = None,
        queue_depth: int = 16,
        flush_every: float = DEFAULT_FLUSH_EVERY,
    ) -> None:
        super().__init__(path, queue_depth=queue_depth, flush_every=flush_every)
        self._codec = zarr_chunk_codec(checked_compression(compression), compression_level)

    def _create_sink(
        self,
        path: Path,
        images: tuple[ImageSpec, ...],
        frame_shape: tuple[int, ...],
        dtype: np.dtype[Any],
    ) -> ImageSetSink:
        return ZarrImageSink(path, images, frame_shape, dtype, self._codec)


class ZarrImageSink(ImageSetSink):
    """The store: a root collection, one image group per position, shards written directly."""

    kind = "OME-Zarr store"
    mimetype = "application/x-zarr"

    def __init__(
        self,
        path: Path,
        images: tuple[ImageSpec, ...],
        frame_shape: tuple[int, ...],
        dtype: np.dtype[Any],
        codec: tuple[Any, Any] | None,
    ) -> None:
        if path.exists():
            raise FileExistsError(f"{path} exists already")
        super().__init__(path, images)
        self._dtype = dtype.newbyteorder("<") if dtype.byteorder == ">" else dtype
        self._frame_shape = frame_shape
        self._encoder = codec[0] if codec else None
        root = zarr.open_group(path, mode="w-", zarr_format=3)
        self._paths = image_paths(images)
        frame_bytes = math.prod(frame_shape) * self._dtype.itemsize
        self._extents = [
            shard_extent([spec.axes.sizes[name] for name in spec.axes.leading], frame_bytes)
            for spec in images
        ]
        if images[0].well is not None:
            _plate(root, images, self._paths)
        else:
            root.attrs["ome"] = {"version": NGFF_VERSION, "bioformats2raw.layout": 3}
            root.create_group("OME").attrs["ome"] = {"version": NGFF_VERSION, "series": self._paths}
        self._arrays = [self._create_image(root, i, spec, codec) for i, spec in enumerate(images)]
        self._shards = [
            ShardFiles(array, path / self._paths[i] / ARRAY_PATH, self._extents[i])
            for i, array in enumerate(self._arrays)
        ]

    def _create_image(
        self, root: zarr.Group, number: int, spec: ImageSpec, codec: tuple[Any, Any] | None
    ) -> Any:
        axes = spec.axes
        group = root.require_group(self._paths[number])
        lead = [axes.sizes[name] for name in axes.leading]
        shard = self._extents[number]
        array = group.create_array(
            ARRAY_PATH,
            shape=axes.shape(self._frame_shape),
            chunks=(1,) * len(lead) + self._frame_shape,
            shards=ShardsConfigParam(
                shape=(*shard, *self._frame_shape), index_location=ShardingCodecIndexLocation.start
            ),
            dtype=self._dtype,
            compressors=codec[1] if codec else None,
            fill_value=0,
            dimension_names=axes.names(),
            chunk_key_encoding={"name": "default", "separator": "/"},
        )
        group.attrs["ome"] = ngff_image(spec.name, axes, self._dtype, ARRAY_PATH)
        return array

    def parameters(self, image: int) -> dict[str, Any]:
        """Return the image's array path in the store."""
        return {"path": f"{self._paths[image]}/{ARRAY_PATH}"}

    def write(self, address: FrameAddress, frame: Frame) -> None:
        """Encode the frame as its inner chunk and append it to its shard."""
        data = np.ascontiguousarray(frame, dtype=self._dtype)
        payload = self._encoder.encode(data) if self._encoder is not None else data.data.cast("B")
        self._shards[address.image].append(address.coords, payload)

    def sync(self) -> None:
        """Write the index of every shard that grew: its new frames become readable."""
        for shards in self._shards:
            shards.sync()

    def close(self) -> None:
        """Write the last indices, the display windows and the frames never taken."""
        for shards in self._shards:
            shards.close()
        root = zarr.open_group(self.path, mode="r+", zarr_format=3)
        for number, spec in enumerate(self.images):
            group = root[self._paths[number]]
            windows = self.windows(number)
            ome = ngff_image(spec.name, spec.axes, self._dtype, ARRAY_PATH, windows)
            group.attrs.update(
                {
                    "ome": ome,
                    "frames_taken": self.taken(number),
                    "frames_not_taken": self.not_taken(number),
                }
            )


def image_paths(images: tuple[ImageSpec, ...]) -> list[str]:
    """Each image's group: ``i``, or ``<row>/<column>/<field>`` for fields of plate wells."""
    if images[0].well is None:
        return [str(i) for i in range(len(images))]
    fields: dict[tuple[str, str], int] = {}
    paths = []
    for spec in images:
        assert spec.well is not None
        field = fields.get(spec.well, 0)
        fields[spec.well] = field + 1
        paths.append(f"{spec.well[0]}/{spec.well[1]}/{field}")
    return paths


def _plate(root: zarr.Group, images: tuple[ImageSpec, ...], paths: list[str]) -> None:
    """Write NGFF's plate metadata at the root and each well's list of fields."""
    wells = list(dict.fromkeys(spec.well for spec in images if spec.well is not None))
    rows = sorted({row for row, _ in wells}, key=lambda name: (len(name), name))
    columns = sorted({column for _, column in wells}, key=_column_order)
    fields: dict[tuple[str, str], list[str]] = {}
    for spec, path in zip(images, paths, strict=True):
        assert spec.well is not None
        fields.setdefault(spec.well, []).append(path.rsplit("/", 1)[1])
    root.attrs["ome"] = {
        "version": NGFF_VERSION,
        "plate": {
            "rows": [{"name": row} for row in rows],
            "columns": [{"name": column} for column in columns],
            "wells": [
                {
                    "path": f"{row}/{column}",
                    "rowIndex": rows.index(row),
                    "columnIndex": columns.index(column),
                }
                for row, column in wells
            ],
            "field_count": max(len(f) for f in fields.values()),
        },
    }
    for (row, column), names in fields.items():
        well = root.require_group(f"{row}/{column}")
        well.attrs["ome"] = {
            "version": NGFF_VERSION,
            "well": {"images": [{"path": name} for name in names]},
        }


def _column_order(name: str) -> tuple[int, str]:
    return (int(name), name) if name.isdigit() else (1 << 30, name)

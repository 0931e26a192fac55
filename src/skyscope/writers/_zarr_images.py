"""An MDA's images into one OME-Zarr (NGFF 0.5, zarr v3): one image group per position.

Each image's array is sharded: one shard file per timepoint holds every channel and z plane
of it (many frames per file), each frame one compressed inner chunk. The worker appends a
frame's chunk to its shard and, at each sync, rewrites the shard's index, which sits at the
start of the file: a frame becomes readable only once the index points at it, and a process
killed between two syncs leaves every acknowledged frame as it was.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import google_crc32c
import numpy as np
import zarr
from zarr.codecs import ShardingCodecIndexLocation
from zarr.core.array import ShardsConfigParam

from ._compression import Compression, checked_compression
from ._image_set import FrameAddress, ImageSpec
from ._image_set_sink import ImageSetSink
from ._image_set_writer import ImageSetWriter
from ._ngff import NGFF_VERSION, ngff_image
from ._stream_assets import Frame
from ._zarr_frames import ARRAY_PATH, zarr_chunk_codec

_EMPTY = np.uint64(2**64 - 1)


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
        flush_every: float = 0.5,
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


class _Shard:
    """One shard file being filled: its chunk index in memory, its end offset on disk."""

    def __init__(self, path: Path, chunks: int) -> None:
        self.path = path
        self.index = np.full((chunks, 2), _EMPTY, dtype="<u8")
        self.header = chunks * 16 + 4
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        self.end = self.header
        self.dirty = True

    def append(self, chunk: int, payload: bytes | memoryview) -> None:
        """Write a chunk after the last one; it is found only once the index is written."""
        written = os.pwrite(self.fd, payload, self.end)
        if written != len(payload):
            raise OSError(f"short write to {self.path}: {written} of {len(payload)} bytes")
        self.index[chunk] = (self.end, len(payload))
        self.end += len(payload)
        self.dirty = True

    def write_index(self) -> None:
        """Write the index and its CRC32C at the start of the file (one small write)."""
        raw = self.index.tobytes()
        crc = google_crc32c.value(raw).to_bytes(4, "little")
        os.pwrite(self.fd, raw + crc, 0)
        self.dirty = False

    def close(self) -> None:
        os.close(self.fd)


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
        if images[0].well is not None:
            _plate(root, images, self._paths)
        else:
            root.attrs["ome"] = {"version": NGFF_VERSION, "bioformats2raw.layout": 3}
            root.create_group("OME").attrs["ome"] = {"version": NGFF_VERSION, "series": self._paths}
        self._arrays = [self._create_image(root, i, spec, codec) for i, spec in enumerate(images)]
        self._shards: dict[Path, _Shard] = {}

    def _create_image(
        self, root: zarr.Group, number: int, spec: ImageSpec, codec: tuple[Any, Any] | None
    ) -> Any:
        axes = spec.axes
        group = root.require_group(self._paths[number])
        lead = [axes.sizes[name] for name in axes.leading]
        shard = [1 if name == "t" else size for name, size in zip(axes.leading, lead, strict=True)]
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
        array = self._arrays[address.image]
        shard_shape = array.shards[: len(address.coords)]
        shard_coords = tuple(n // s for n, s in zip(address.coords, shard_shape, strict=True))
        inner = tuple(n % s for n, s in zip(address.coords, shard_shape, strict=True))
        key = array.metadata.encode_chunk_key((*shard_coords, 0, 0))
        path = self.path / self._paths[address.image] / ARRAY_PATH / key
        shard = self._shards.get(path)
        if shard is None:
            chunks = int(np.prod(shard_shape)) if shard_shape else 1
            shard = self._shards[path] = _Shard(path, chunks)
        data = np.ascontiguousarray(frame, dtype=self._dtype)
        payload = self._encoder.encode(data) if self._encoder is not None else data.data.cast("B")
        chunk = int(np.ravel_multi_index(inner, shard_shape)) if inner else 0
        shard.append(chunk, payload)

    def sync(self) -> None:
        """Write the index of every shard that grew: its new frames become readable."""
        for shard in self._shards.values():
            if shard.dirty:
                shard.write_index()

    def close(self) -> None:
        """Write the last indices, the display windows and the frames never taken."""
        try:
            self.sync()
        finally:
            for shard in self._shards.values():
                shard.close()
            self._shards.clear()
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

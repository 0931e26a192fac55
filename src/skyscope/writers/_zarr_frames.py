"""Frames into OME-Zarr (NGFF 0.5 on zarr v3): one image per data key, many frames a file."""

from __future__ import annotations

import math
import os
import uuid
from pathlib import Path
from typing import Any

import numcodecs
import numpy as np
import zarr
from zarr.abc.codec import BytesBytesCodec
from zarr.codecs import BloscCodec, GzipCodec, ShardingCodecIndexLocation, ZstdCodec
from zarr.core.array import ShardsConfigParam
from zarr.core.buffer import default_buffer_prototype

from ._compression import Compression, checked_compression
from ._frame_sink import FrameSink
from ._image_axes import ImageAxes
from ._ngff import ngff_image
from ._queued_writer import DEFAULT_FLUSH_EVERY, DEFAULT_QUEUE_BYTES, QueuedFrameWriter
from ._stream_assets import Frame
from ._zarr_shards import ShardFiles, shard_extent

ARRAY_PATH = "0"
"""The full-resolution array inside the image group."""


class OMEZarrFrameWriter(QueuedFrameWriter):
    """Writes one data key's frames to an OME-Zarr image (NGFF 0.5, zarr v3).

    ``path_or_directory`` is the store (a name ending ``.zarr``) or a directory in which a new
    ``<data_key>_<8 hex>.ome.zarr`` is made at each ``open``. ``axes`` gives the leading axes'
    sizes (frames fill t, c, z in C order), scales, units and channel names; without sizes the
    image is a growing ``(t, y, x)`` stack whose length is updated as frames are acknowledged.
    Each frame is one inner chunk of a shard file (``_zarr_shards``), written by the worker
    thread without going through zarr's event loop; ``fsync_on_close`` runs ``os.sync()`` once
    at close.
    """

    format_name = "OME-Zarr"

    def __init__(
        self,
        path_or_directory: str | os.PathLike[str],
        *,
        axes: ImageAxes | None = None,
        compression: Compression | None = None,
        compression_level: int | None = None,
        queue_depth: int = 16,
        queue_bytes: int = DEFAULT_QUEUE_BYTES,
        flush_every: float = DEFAULT_FLUSH_EVERY,
        fsync_on_close: bool = False,
    ) -> None:
        super().__init__(queue_depth=queue_depth, flush_every=flush_every, queue_bytes=queue_bytes)
        self._location = Path(path_or_directory)
        self._axes = axes or ImageAxes()
        self._codec = zarr_chunk_codec(checked_compression(compression), compression_level)
        self._fsync_on_close = fsync_on_close

    def _target(self, data_key: str) -> Path:
        if self._location.suffix == ".zarr":
            return self._location.absolute()
        return self._location.absolute() / f"{data_key}_{uuid.uuid4().hex[:8]}.ome.zarr"

    def _check_frames(self, frame_shape: tuple[int, ...], dtype: np.dtype[Any]) -> None:
        if len(frame_shape) != 2:
            raise ValueError(f"OME-Zarr frames are 2-D (y, x); got frame shape {frame_shape}")

    def _create_sink(
        self, path: Path, data_key: str, frame_shape: tuple[int, ...], dtype: np.dtype[Any]
    ) -> FrameSink:
        return ZarrFrameSink(
            path, data_key, frame_shape, dtype, self._axes, self._codec, self._fsync_on_close
        )


class ZarrFrameSink(FrameSink):
    """An OME-Zarr image whose shard files (many frames each) the worker thread writes itself."""

    kind = "OME-Zarr store"
    mimetype = "application/x-zarr"

    def __init__(
        self,
        path: Path,
        name: str,
        frame_shape: tuple[int, ...],
        dtype: np.dtype[Any],
        axes: ImageAxes,
        codec: tuple[Any, BytesBytesCodec] | None,
        fsync_on_close: bool,
    ) -> None:
        if path.exists():
            raise FileExistsError(f"{path} exists already")
        self.path = path
        self._axes = axes
        self._frame_shape = frame_shape
        self._little = dtype.newbyteorder("<") if dtype.byteorder == ">" else dtype
        self._encoder = codec[0] if codec else None
        self._fsync_on_close = fsync_on_close
        group = zarr.open_group(path, mode="w-", zarr_format=3)
        grows = axes.capacity is None
        lead = [None] if grows else [axes.sizes[name] for name in axes.leading]
        extent = shard_extent(lead, math.prod(frame_shape) * self._little.itemsize)
        self._array = group.create_array(
            ARRAY_PATH,
            shape=axes.shape(frame_shape),
            chunks=(1,) * len(axes.leading) + frame_shape,
            shards=ShardsConfigParam(
                shape=(*extent, *frame_shape), index_location=ShardingCodecIndexLocation.start
            ),
            dtype=self._little,
            compressors=codec[1] if codec else None,
            fill_value=0,
            dimension_names=axes.names(),
            chunk_key_encoding={"name": "default", "separator": "/"},
        )
        group.attrs["ome"] = ngff_image(name, axes, self._little, ARRAY_PATH)
        self._array_dir = path / ARRAY_PATH
        self._shards = ShardFiles(self._array, self._array_dir, extent)
        self._shape_written = 0

    @property
    def parameters(self) -> dict[str, Any]:
        """Return the array's path in the store, as the stream resource convention says."""
        return {"path": ARRAY_PATH}

    @property
    def capacity(self) -> int | None:
        """Return the frames the declared axes hold (``None`` when the image grows)."""
        return self._axes.capacity

    def write(self, index: int, frame: Frame) -> None:
        """Encode frame ``index`` as its inner chunk and append it to its shard."""
        data = np.ascontiguousarray(frame, dtype=self._little)
        payload = self._encoder.encode(data) if self._encoder is not None else data.data.cast("B")
        self._shards.append(self._axes.position(index), payload)

    def sync(self, count: int) -> None:
        """Index the new frames in their shards; grow a ``(t, y, x)`` stack to ``count``."""
        self._shards.sync()
        if self._axes.capacity is not None or count == self._shape_written:
            return
        metadata = self._array.metadata.update_shape(self._axes.shape(self._frame_shape, count))
        encoded = metadata.to_buffer_dict(default_buffer_prototype())["zarr.json"].to_bytes()
        temporary = self._array_dir / f".zarr.json.{os.getpid()}.tmp"
        temporary.write_bytes(encoded)
        os.replace(temporary, self._array_dir / "zarr.json")
        self._shape_written = count

    def close(self, count: int) -> None:
        """Record the final length and optionally push everything to the disk."""
        self.sync(count)
        self._shards.close()
        if self._fsync_on_close:
            os.sync()


def zarr_chunk_codec(
    compression: Compression | None, level: int | None
) -> tuple[Any, BytesBytesCodec] | None:
    """Return the encoder skyscope runs and the matching zarr v3 codec for the metadata."""
    if compression is None:
        return None
    if compression == "zstd":
        chosen = 3 if level is None else level
        return numcodecs.Zstd(level=chosen), ZstdCodec(level=chosen)
    if compression == "gzip":
        chosen = 4 if level is None else level
        return numcodecs.GZip(level=chosen), GzipCodec(level=chosen)
    chosen = 5 if level is None else level
    blosc = numcodecs.Blosc(cname="lz4", clevel=chosen, shuffle=numcodecs.Blosc.SHUFFLE)
    return blosc, BloscCodec(cname="lz4", clevel=chosen, shuffle="shuffle")

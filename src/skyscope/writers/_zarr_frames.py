"""Frames into OME-Zarr (NGFF 0.5 on zarr v3): one image per data key, one frame per chunk."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import numcodecs
import numpy as np
import zarr
from zarr.abc.codec import BytesBytesCodec
from zarr.codecs import BloscCodec, GzipCodec, ZstdCodec
from zarr.core.buffer import default_buffer_prototype

from ._compression import Compression, checked_compression
from ._frame_sink import FrameSink
from ._image_axes import ImageAxes
from ._ngff import ngff_image
from ._queued_writer import DEFAULT_QUEUE_BYTES, QueuedFrameWriter
from ._stream_assets import Frame

ARRAY_PATH = "0"
"""The full-resolution array inside the image group."""

_KNOWN_DIRS = 64
"""How many recently made chunk directories a sink remembers (to skip creating them again)."""


class OMEZarrFrameWriter(QueuedFrameWriter):
    """Writes one data key's frames to an OME-Zarr image (NGFF 0.5, zarr v3).

    ``path_or_directory`` is the store (a name ending ``.zarr``) or a directory in which a new
    ``<data_key>_<8 hex>.ome.zarr`` is made at each ``open``. ``axes`` gives the leading axes'
    sizes (frames fill t, c, z in C order), scales, units and channel names; without sizes the
    image is a growing ``(t, y, x)`` stack whose length is updated as frames are acknowledged.
    Each frame is one chunk file, written by the worker thread without going through zarr's
    event loop; ``fsync_on_close`` runs ``os.sync()`` once at close.
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
        flush_every: float = 0.5,
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
    """An OME-Zarr image whose chunk files (one per frame) the worker thread writes itself."""

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
        self._array = group.create_array(
            ARRAY_PATH,
            shape=axes.shape(frame_shape),
            chunks=(1,) * len(axes.leading) + frame_shape,
            dtype=self._little,
            compressors=codec[1] if codec else None,
            fill_value=0,
            dimension_names=axes.names(),
            chunk_key_encoding={"name": "default", "separator": "/"},
        )
        group.attrs["ome"] = ngff_image(name, axes, self._little, ARRAY_PATH)
        self._array_dir = path / ARRAY_PATH
        self._known_dirs: dict[Path, None] = {}  # made lately, oldest first
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
        """Encode frame ``index`` as its chunk and write the chunk file."""
        coords = self._axes.position(index) + (0,) * len(self._frame_shape)
        chunk = self._chunk_path(coords)
        self._make_directory(chunk.parent)
        data = np.ascontiguousarray(frame, dtype=self._little)
        payload = self._encoder.encode(data) if self._encoder is not None else data.data
        with open(chunk, "wb", buffering=0) as file:
            file.write(payload)

    def _make_directory(self, directory: Path) -> None:
        """Create ``directory`` and missing parents, top down from the deepest one known to exist.

        A growing stack puts each frame in new directories: creating them one by one, each
        after its parent, costs one system call per directory (``mkdir(parents=True)`` tries
        the deepest first and fails). Only the latest directories are remembered, so memory
        stays flat however many frames are written.
        """
        missing: list[Path] = []
        while directory != self._array_dir and directory not in self._known_dirs:
            missing.append(directory)
            directory = directory.parent
        for new in reversed(missing):
            new.mkdir(exist_ok=True)
            self._known_dirs[new] = None
        while len(self._known_dirs) > _KNOWN_DIRS:
            del self._known_dirs[next(iter(self._known_dirs))]

    def sync(self, count: int) -> None:
        """Grow a ``(t, y, x)`` stack's recorded length to ``count`` (chunks are on disk)."""
        if self._axes.sizes or count == self._shape_written:
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
        if self._fsync_on_close:
            os.sync()

    def _chunk_path(self, coords: tuple[int, ...]) -> Path:
        return self._array_dir / self._array.metadata.encode_chunk_key(coords)


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

"""Frames into OME-TIFF: one page per frame, OME-XML (from ome-types) in the first page."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import tifffile

from ._frame_sink import FrameSink
from ._image_axes import ImageAxes
from ._ome_description import ome_pixel_type
from ._ome_xml import ome_xml
from ._queued_writer import DEFAULT_FLUSH_EVERY, QueuedFrameWriter
from ._stream_assets import Frame

_PROVISIONAL = b"skyscope: frames being written; the OME-XML is completed at close"

TIFF_SUFFIXES = (".tif", ".tiff")
"""File names ending in one of these are files; any other path is a directory to write into."""


class OMETiffFrameWriter(QueuedFrameWriter):
    """Writes one data key's frames as the pages of an OME-TIFF (BigTIFF) file.

    ``path_or_directory`` is the file (``.ome.tif``…) or a directory in which a new
    ``<data_key>_<8 hex>.ome.tif`` is made at each ``open``. ``axes`` gives the t, c, z sizes,
    physical sizes and channel names. The OME-XML is rewritten at close to describe exactly the
    frames written, so a run cut short still gives a valid file.
    """

    format_name = "OME-TIFF"

    def __init__(
        self,
        path_or_directory: str | os.PathLike[str],
        *,
        axes: ImageAxes | None = None,
        queue_depth: int = 16,
        flush_every: float = DEFAULT_FLUSH_EVERY,
    ) -> None:
        super().__init__(queue_depth=queue_depth, flush_every=flush_every)
        self._location = Path(path_or_directory)
        self._axes = axes or ImageAxes()

    def _target(self, data_key: str) -> Path:
        if self._location.suffix.lower() in TIFF_SUFFIXES:
            return self._location.absolute()
        return self._location.absolute() / f"{data_key}_{uuid.uuid4().hex[:8]}.ome.tif"

    def _check_frames(self, frame_shape: tuple[int, ...], dtype: np.dtype[Any]) -> None:
        if len(frame_shape) != 2:
            raise ValueError(f"OME-TIFF frames are 2-D (y, x); got frame shape {frame_shape}")
        ome_pixel_type(dtype)

    def _create_sink(
        self, path: Path, data_key: str, frame_shape: tuple[int, ...], dtype: np.dtype[Any]
    ) -> FrameSink:
        return TiffFrameSink(path, data_key, frame_shape, dtype, self._axes)


class TiffFrameSink(FrameSink):
    """A BigTIFF file growing by one page per frame."""

    kind = "OME-TIFF file"
    mimetype = "multipart/related;type=image/tiff"

    def __init__(
        self,
        path: Path,
        name: str,
        frame_shape: tuple[int, ...],
        dtype: np.dtype[Any],
        axes: ImageAxes,
    ) -> None:
        self.path = path
        self._name = name
        self._frame_shape = frame_shape
        self._dtype = dtype
        self._axes = axes
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            raise FileExistsError(f"{path} exists already")
        self._tiff: tifffile.TiffWriter | None = tifffile.TiffWriter(
            path, bigtiff=True, byteorder="<", ome=False
        )

    @property
    def parameters(self) -> dict[str, Any]:
        """Return no parameters: the pages of series 0, in order, are the frames."""
        return {}

    @property
    def capacity(self) -> int | None:
        """Return the frames the declared axes hold (``None`` when unbounded)."""
        return self._axes.capacity

    def write(self, index: int, frame: Frame) -> None:
        """Append frame ``index`` as a page with its own IFD, readable even if the process dies.

        The first page's description is a placeholder until close writes the OME-XML: a file
        cut short is a plain multi-page TIFF holding every acknowledged frame.
        """
        assert self._tiff is not None
        description = _PROVISIONAL if index == 0 else None  # replaced at close
        self._tiff.write(
            frame,
            contiguous=False,
            description=description,
            metadata=None,
            photometric="minisblack",
        )

    def sync(self, count: int) -> None:
        """Push the pages written so far to the operating system."""
        assert self._tiff is not None
        self._tiff.filehandle.flush()

    def close(self, count: int) -> None:
        """Close the file, then rewrite its OME-XML to describe exactly ``count`` frames."""
        if self._tiff is None:
            return
        tiff, self._tiff = self._tiff, None
        tiff.close()
        if count:
            tifffile.tiffcomment(self.path, self._xml(count))

    def _xml(self, count: int) -> bytes:
        """The OME-XML as 7-bit ASCII, as TIFF wants it (µ becomes a character reference)."""
        xml = ome_xml(self._name, self._axes, self._frame_shape, self._dtype, count)
        return xml.encode("ascii", "xmlcharrefreplace")

"""An MDA's images as OME-TIFF files, one per position, readable after a crash.

Each frame becomes a page (its own IFD) as it arrives, so a file cut short by a crash or a
full disk still holds every acknowledged frame as a plain multi-page TIFF. At close the first
page's description becomes the OME-XML that places each page (``TiffData``) at its t, c, z.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import tifffile
from ome_types import OME

from ._image_set import FrameAddress, ImageSpec
from ._image_set_sink import ImageSetSink
from ._image_set_writer import ImageSetWriter
from ._ome_description import ome_pixel_type, ome_xml_bytes
from ._ome_xml import image_ome
from ._stream_assets import Frame, file_uri

_PROVISIONAL = b"skyscope: frames being written; the OME-XML is completed at close"


class OMETiffImageWriter(ImageSetWriter):
    """Writes an MDA's positions as OME-TIFF files, one per position.

    ``cells.ome.tif`` for one position; ``cells_p000.ome.tif``, ``cells_p001.ome.tif``… for
    several.
    """

    format_name = "OME-TIFF"

    def _check_dtype(self, dtype: np.dtype[Any]) -> None:
        ome_pixel_type(dtype)

    def _create_sink(
        self,
        path: Path,
        images: tuple[ImageSpec, ...],
        frame_shape: tuple[int, ...],
        dtype: np.dtype[Any],
    ) -> ImageSetSink:
        return TiffImageSink(path, images, frame_shape, dtype)


def image_files(path: Path, count: int) -> list[Path]:
    """Return the file of each of ``count`` images written for ``path``."""
    if count == 1:
        return [path]
    name = path.name
    suffix = next(s for s in (".ome.tiff", ".ome.tif", "") if name.lower().endswith(s))
    stem = name[: len(name) - len(suffix)] if suffix else name
    return [path.with_name(f"{stem}_p{i:03d}{suffix or '.ome.tif'}") for i in range(count)]


class TiffImageSink(ImageSetSink):
    """One BigTIFF per image, a page per frame in arrival order."""

    kind = "OME-TIFF files"
    mimetype = "multipart/related;type=image/tiff"

    def __init__(
        self,
        path: Path,
        images: tuple[ImageSpec, ...],
        frame_shape: tuple[int, ...],
        dtype: np.dtype[Any],
    ) -> None:
        super().__init__(path, images)
        self._files = image_files(path, len(images))
        for file in self._files:
            if file.exists():
                raise FileExistsError(f"{file} exists already")
        path.parent.mkdir(parents=True, exist_ok=True)
        self._frame_shape = frame_shape
        self._dtype = dtype
        self._tiffs: dict[int, tifffile.TiffWriter] = {}
        self._pages: list[list[tuple[int, ...]]] = [[] for _ in images]

    def uri(self, image: int) -> str:
        """Return the image's own file."""
        return file_uri(self._files[image])

    def parameters(self, image: int) -> dict[str, Any]:
        """No parameters: a frame's index is its plane's (t, c, z in C order), as in OME."""
        return {}

    def write(self, address: FrameAddress, frame: Frame) -> None:
        """Append the frame as a page of its image's file (with its own IFD)."""
        tiff = self._tiffs.get(address.image)
        if tiff is None:
            tiff = tifffile.TiffWriter(self._files[address.image], bigtiff=True, byteorder="<")
            self._tiffs[address.image] = tiff
        first = not self._pages[address.image]
        tiff.write(
            frame,
            contiguous=False,
            description=_PROVISIONAL if first else None,
            metadata=None,
            photometric="minisblack",
        )
        self._pages[address.image].append(address.coords)

    def sync(self) -> None:
        """Push the pages written so far to the operating system."""
        for tiff in self._tiffs.values():
            tiff.filehandle.flush()

    def close(self) -> None:
        """Close the files, then write each one's OME-XML."""
        tiffs, self._tiffs = self._tiffs, {}
        for tiff in tiffs.values():
            tiff.close()
        for number in tiffs:
            xml = ome_xml_bytes(self.ome(number))
            tifffile.tiffcomment(self._files[number], xml)

    def ome(self, number: int) -> OME:
        """The OME of image ``number``: sizes, scales, channels, pages and frames not taken."""
        return image_ome(
            self.images[number],
            self._frame_shape,
            self._dtype,
            self._pages[number],
            self.not_taken(number),
        )

"""Microscopy runs exported to OME-TIFF and OME-Zarr: one image per stage position, t c z y x.

Both exporters follow runs live (engine subscribers) or are fed stored documents. They sort the
frames of one stream (``primary``) into one image per position by the events' ``t p g c z``
indices (``skyscope.plans.mda`` records them) and, at the run's stop document (or ``close()``),
copy each frame from the detector's file into place. Planes never acquired (a channel taken
every other time point, a channel without a z stack, a run cut short) are zeros, listed in the
metadata, never shifted. What each file holds is in the docstrings of ``OMETiffExporter`` and
``OMEZarrExporter`` and in ``docs/how-to/export.md``.
"""

from __future__ import annotations

import os
import shutil
from abc import abstractmethod
from pathlib import Path
from typing import ClassVar, TypedDict, Unpack

import numpy as np
import tifffile
from zarr.abc.codec import BytesBytesCodec

from skyscope.documents import Event, EventDescriptor, RunStart, StreamDatum, StreamResource
from skyscope.writers import Compression, checked_compression, ome_xml_bytes, zarr_chunk_codec

from ._document_exporter import DocumentExporter, RunOutput, fsync_path
from ._ome_frames import ResourceFrames
from ._ome_images import RunImages
from ._ome_model import run_ome
from ._ome_physical import PixelSize, checked_pixel_size
from ._ome_planes import PlaneCollector
from ._ome_zarr_export import write_ome_zarr


class OMEOptions(TypedDict, total=False):
    """The options every OME exporter takes (see ``OMEExporter``)."""

    file_stem: str | None
    fsync: bool
    stream: str
    image_key: str | None
    pixel_size_um: float | PixelSize | None


class OMEExporter(DocumentExporter):
    """The shared part of the OME exporters: collect a run's planes, write them at its end.

    ``stream`` is the stream whose frames are exported; ``image_key`` the data key holding them
    (default: the stream's only 2-D array). ``pixel_size_um`` (a number, or (y, x)) overrides
    the pixel size found in the documents (see ``docs/how-to/export.md``). A run without
    frames writes no file.
    """

    suffix: ClassVar[str]
    """The file name's ending, e.g. ".ome.tif"."""

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        file_stem: str | None = None,
        fsync: bool = True,
        stream: str = "primary",
        image_key: str | None = None,
        pixel_size_um: float | PixelSize | None = None,
    ) -> None:
        super().__init__(directory, file_stem=file_stem, fsync=fsync)
        self.stream = stream
        self.image_key = image_key
        self.pixel_size_um = (
            None if pixel_size_um is None else checked_pixel_size(pixel_size_um, "pixel_size_um")
        )

    @abstractmethod
    def write(self, path: Path, run: RunImages, files: ResourceFrames) -> None:
        """Write the run's images to a new file or store at ``path``."""

    def _open_run(self, start: RunStart, stem: str) -> RunOutput:
        collector = PlaneCollector(self.stream, self.image_key, self.pixel_size_um)
        return _OMERun(self, collector, self.directory.absolute() / f"{stem}{self.suffix}")


class OMETiffExporter(OMEExporter):
    """Writes each run to ``<stem>.ome.tif``: one multi-series OME-TIFF (BigTIFF) per run.

    Series ``i`` is position ``i``; its pages are the planes in XYZCT order (z fastest, then
    c, then t), so ``tifffile.TiffFile(path).series[i].asarray()`` is ``(t, c, z, y, x)`` (axes
    of size 1 squeezed by tifffile). One file keeps the run together under one OME-XML, which
    Bio-Formats (Fiji, QuPath, OMERO) opens as a series per position.
    """

    suffix = ".ome.tif"

    def write(self, path: Path, run: RunImages, files: ResourceFrames) -> None:
        """Write the pages, the first carrying the OME-XML of the whole run."""
        description: bytes | None = ome_xml_bytes(run_ome(run, tiff=True))
        zeros = np.zeros(run.frame_shape, run.dtype.newbyteorder("<"))
        with (
            open(path, "xb") as handle,
            tifffile.TiffWriter(handle, bigtiff=True, byteorder="<", ome=False) as tiff,
        ):
            for image in run.images:
                for place in image.places():
                    frame = run.frame(image, place, files) if place in image.planes else zeros
                    tiff.write(
                        frame,
                        contiguous=True,
                        description=description,
                        metadata=None,
                        photometric="minisblack",
                    )
                    description = None
        if self.fsync:
            fsync_path(path)


class OMEZarrExporter(OMEExporter):
    """Writes each run to ``<stem>.ome.zarr``: NGFF 0.5, one image per position.

    The bioformats2raw layout (images ``0``, ``1``… and ``OME/METADATA.ome.xml`` with every
    plane's DeltaT and stage position), the NGFF way to keep several images in one store.
    ``compression`` ("lz4" (Blosc), "zstd" or "gzip") compresses each plane's chunk.
    """

    suffix = ".ome.zarr"

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        compression: Compression | None = None,
        compression_level: int | None = None,
        **options: Unpack[OMEOptions],
    ) -> None:
        super().__init__(directory, **options)
        codec = zarr_chunk_codec(checked_compression(compression), compression_level)
        self._compressor: BytesBytesCodec | None = codec[1] if codec else None

    def write(self, path: Path, run: RunImages, files: ResourceFrames) -> None:
        """Write the store (and, with ``fsync``, push it to the disk)."""
        write_ome_zarr(path, run, files, self._compressor)
        if self.fsync:
            os.sync()


class _OMERun(RunOutput):
    """One run's planes, gathered document by document and written when the run ends."""

    def __init__(self, exporter: OMEExporter, collector: PlaneCollector, path: Path) -> None:
        super().__init__()
        self._exporter = exporter
        self._collector = collector
        self._path = path

    def start(self, doc: RunStart) -> None:
        """Note the run's metadata."""
        self._collector.start(doc)

    def descriptor(self, doc: EventDescriptor) -> None:
        """Note the stream's frame data key."""
        self._collector.descriptor(doc)

    def event(self, doc: Event) -> None:
        """Place the event's frame."""
        self._collector.event(doc)

    def stream_resource(self, doc: StreamResource) -> None:
        """Note where frames are."""
        self._collector.stream_resource(doc)

    def stream_datum(self, doc: StreamDatum) -> None:
        """Note which events' frames a range holds."""
        self._collector.stream_datum(doc)

    def finish(self) -> None:
        """Write the file from the frames acquired (whatever the run's exit status)."""
        run = self._collector.run()
        if run is None:
            return
        if self._path.exists():
            raise FileExistsError(f"{self._path} exists already")
        files = ResourceFrames(run.frame_shape)
        try:
            self._exporter.write(self._path, run, files)
        except BaseException:
            _remove(self._path)  # half-written; the frames are still in the detectors' files
            raise
        finally:
            files.close()
        self.paths.append(self._path)


def _remove(path: Path) -> None:
    """Delete a file or a directory tree, if there."""
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)

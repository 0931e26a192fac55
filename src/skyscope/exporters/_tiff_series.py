"""TIFF series: one multi-page TIFF per stream and image field, beside a CSV of the scalars.

For each stream, every data key holding a 2-D (or 3-D colour) image carried in the events
becomes ``<stem>-<stream>-<key>.tif``, one page per event, written as the events arrive; the
stream's scalar readings go to the sidecar ``<stem>-<stream>.csv`` (``time``, ``seq_num``,
then the scalars), so page ``i`` of each TIFF belongs to row ``i`` of the CSV. Frames that a
detector wrote to its own files (external data) are already files and are left out.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import IO, Any

import numpy as np
import tifffile

from skyscope.documents import Event, EventDescriptor, RunStart

from ._columns import StreamColumns, plain, safe_name, stream_columns
from ._document_exporter import DocumentExporter, RunOutput, close_file, fsync_path


class TiffSeriesExporter(DocumentExporter):
    """Writes each stream's images to multi-page TIFFs and its scalars to a sidecar CSV."""

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        file_stem: str | None = None,
        fsync: bool = True,
    ) -> None:
        super().__init__(directory, file_stem=file_stem, fsync=fsync)

    def _open_run(self, start: RunStart, stem: str) -> RunOutput:
        return _TiffSeriesRun(self.directory, stem, self.fsync)


class _Stream:
    """One stream's open files: its CSV sidecar and a TIFF writer per image key."""

    def __init__(self, directory: Path, stem: str, columns: StreamColumns) -> None:
        prefix = directory / f"{stem}-{safe_name(columns.stream)}"
        self.scalars = [key for key in columns.keys if not columns.data_keys[key].get("shape")]
        self.images = [key for key in columns.keys if _is_image(columns.data_keys[key])]
        self.csv_path = _named(prefix, ".csv")
        self.csv: IO[str] = open(self.csv_path, "x", newline="", encoding="utf-8")  # noqa: SIM115
        self.rows = csv.writer(self.csv)
        self.rows.writerow(["time", "seq_num", *self.scalars])
        self.tiff_paths = {key: _named(prefix, f"-{safe_name(key)}.tif") for key in self.images}
        self.tiffs = {
            key: tifffile.TiffWriter(path, bigtiff=True, mode="x")
            for key, path in self.tiff_paths.items()
        }

    def write(self, doc: Event) -> None:
        data: dict[str, Any] = doc["data"]
        self.rows.writerow(
            [doc["time"], doc["seq_num"], *(_cell(data.get(k)) for k in self.scalars)]
        )
        for key, tiff in self.tiffs.items():
            tiff.write(np.asarray(data[key]), contiguous=True, metadata=None)

    def close(self, fsync: bool) -> None:
        try:
            close_file(self.csv, fsync=fsync)
        finally:
            for key, tiff in self.tiffs.items():
                tiff.close()
                if fsync:
                    fsync_path(self.tiff_paths[key])


class _TiffSeriesRun(RunOutput):
    """A run's TIFF series and sidecars, opened at each new stream's descriptor."""

    def __init__(self, directory: Path, stem: str, fsync: bool) -> None:
        super().__init__()
        self._directory, self._stem, self._fsync = directory, stem, fsync
        self._streams: dict[str, _Stream] = {}
        self._by_descriptor: dict[str, _Stream] = {}

    def descriptor(self, doc: EventDescriptor) -> None:
        """Open the stream's files (a stream's later descriptors reuse them)."""
        columns = stream_columns(doc, arrays=True)
        stream = self._streams.get(columns.stream)
        if stream is None:
            stream = self._streams[columns.stream] = _Stream(self._directory, self._stem, columns)
            self.paths.extend([stream.csv_path, *stream.tiff_paths.values()])
        self._by_descriptor[doc["uid"]] = stream

    def event(self, doc: Event) -> None:
        """Append the event's images as pages and its scalars as a row."""
        self._by_descriptor[doc["descriptor"]].write(doc)

    def finish(self) -> None:
        """Close every file (each stays readable)."""
        streams, self._streams = list(self._streams.values()), {}
        for stream in streams:
            stream.close(self._fsync)


def _is_image(data_key: Any) -> bool:
    """A 2-D frame, or a 3-D one with 3 or 4 colour samples last."""
    shape = list(data_key.get("shape") or [])
    return len(shape) == 2 or (len(shape) == 3 and shape[-1] in (3, 4))


def _named(prefix: Path, ending: str) -> Path:
    return prefix.with_name(prefix.name + ending)


def _cell(value: Any) -> Any:
    return "" if value is None else plain(value)

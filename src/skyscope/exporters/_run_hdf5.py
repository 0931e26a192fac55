"""A run as one HDF5 file: every stream's data as columns, metadata as JSON, frames linked.

Layout of ``<stem>.h5``:

- ``/`` attributes ``uid``, ``scan_id``, ``exit_status``, ``reason`` and the ``start`` and
  ``stop`` documents as JSON;
- ``/<stream>/time``, ``/<stream>/seq_num``: one value per event;
- ``/<stream>/data/<key>``: each data key's values (scalars, fixed-shape arrays), and for frames
  in detectors' HDF5 files a virtual dataset reading them from there;
- ``/<stream>/timestamps/<key>``: when each value was read;
- ``/<stream>`` attributes ``descriptors`` (JSON list), ``skipped`` and ``external`` (frames
  that could not be linked, e.g. in Zarr or TIFF files: where they are).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import h5py

from skyscope.documents import (
    DataKey,
    Event,
    EventDescriptor,
    RunStart,
    RunStop,
    StreamDatum,
    StreamResource,
    to_json,
)

from ._columns import StreamColumns, TableNames, stream_columns
from ._document_exporter import DocumentExporter, RunOutput, fsync_path
from ._frame_links import FrameLinks
from ._hdf5_table import HDF5Table


class RunHDF5Exporter(DocumentExporter):
    """Writes each run to ``<stem>.h5``: all streams, their metadata, and links to the frames.

    Rows are appended ``block_rows`` at a time; the stop document (or ``close()``) writes the
    rest, links the frames and closes the file. Opening it needs HDF5 1.10 or newer (virtual
    datasets), as h5py, HDFView and silx have.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        file_stem: str | None = None,
        fsync: bool = True,
        block_rows: int = 1024,
    ) -> None:
        super().__init__(directory, file_stem=file_stem, fsync=fsync)
        if block_rows < 1:
            raise ValueError(f"block_rows must be at least 1, got {block_rows}")
        self._block_rows = block_rows

    def _open_run(self, start: RunStart, stem: str) -> RunOutput:
        return _HDF5Run(self.directory.absolute() / f"{stem}.h5", self._block_rows, self.fsync)


class _HDF5Run(RunOutput):
    """One run's HDF5 file, open from the start document to the stop document."""

    def __init__(self, path: Path, block_rows: int, fsync: bool) -> None:
        super().__init__()
        self._fsync = fsync
        self._file: h5py.File | None = h5py.File(path, "w-", libver="v110")
        self.paths.append(path)
        self._block_rows = block_rows
        self._names = TableNames()
        self._tables: dict[str, HDF5Table] = {}
        self._table_of: dict[str, str] = {}
        self._descriptors: dict[str, list[EventDescriptor]] = {}
        self._data_keys: dict[str, dict[str, DataKey]] = {}
        self._frames = FrameLinks()

    def start(self, doc: RunStart) -> None:
        """Record the start document and the run's identity."""
        attrs = self._open().attrs
        attrs["start"] = to_json(doc)
        attrs["uid"] = doc["uid"]
        if "scan_id" in doc:
            attrs["scan_id"] = doc["scan_id"]

    def descriptor(self, doc: EventDescriptor) -> None:
        """Make the stream's group and columns (a changed descriptor may need a new group)."""
        columns = stream_columns(doc, arrays=True)
        table, new = self._names.name(columns)
        if new:
            group = self._open().create_group(table)
            group.attrs["stream"] = columns.stream
            group.attrs["skipped"] = json.dumps(_not_linked(columns))
            self._tables[table] = HDF5Table(group, columns, block_rows=self._block_rows)
        self._table_of[doc["uid"]] = table
        self._descriptors.setdefault(table, []).append(doc)
        self._data_keys.setdefault(table, {}).update(doc["data_keys"])
        descriptors = ",".join(to_json(d) for d in self._descriptors[table])
        self._open()[table].attrs["descriptors"] = f"[{descriptors}]"

    def event(self, doc: Event) -> None:
        """Add one row to its stream (event pages arrive here row by row)."""
        self._tables[self._table_of[doc["descriptor"]]].add(doc)

    def stream_resource(self, doc: StreamResource) -> None:
        """Remember where frames are."""
        self._frames.resource(doc)

    def stream_datum(self, doc: StreamDatum) -> None:
        """Add a range of frames to the stream its descriptor names."""
        table = self._table_of.get(doc["descriptor"])
        if table is None:
            raise ValueError(
                f"stream_datum {doc['uid']} names descriptor {doc['descriptor']!r}, "
                "which did not come before it"
            )
        self._frames.datum(doc, table)

    def stop(self, doc: RunStop) -> None:
        """Record the stop document (``finish`` then writes everything and closes)."""
        attrs = self._open().attrs
        attrs["stop"] = to_json(doc)
        attrs["exit_status"] = doc["exit_status"]
        attrs["reason"] = doc.get("reason", "")

    def finish(self) -> None:
        """Write the buffered rows, link the frames and close the file (even after a failure)."""
        file, self._file = self._file, None
        if file is None:
            return
        try:
            for columns in self._tables.values():
                columns.flush()
            unlinked = self._frames.write(file, self._data_keys)
            for table, external in unlinked.items():
                file[table].attrs["external"] = json.dumps(external)
        finally:
            file.close()
        if self._fsync:
            fsync_path(self.paths[0])

    def _open(self) -> h5py.File:
        if self._file is None:
            raise ValueError(f"{self.paths[0]} is closed: the run's stop document came already")
        return self._file


def _not_linked(columns: StreamColumns) -> dict[str, str]:
    """Return the skipped data keys, leaving out frames (linked, or listed in ``external``)."""
    return {
        key: why
        for key, why in columns.skipped.items()
        if not columns.data_keys[key].get("external")
    }

"""Export a stored run to files through ``skyscope.exporters``' document exporters.

The run's documents are replayed, in the order they arrived, into the exporter of the chosen
format: JSONL or msgpack (every document), CSV (one table per stream, scalar columns) or a
per-run HDF5 file (every stream, with links to the frames).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ._errors import CatalogError

if TYPE_CHECKING:
    from skyscope.exporters import DocumentExporter

    from ._run import Run

FORMATS = ("csv", "hdf5", "jsonl", "msgpack")


def export_formats() -> list[str]:
    """The formats a run can be exported as."""
    return list(FORMATS)


def _exporter(fmt: str, directory: Path) -> DocumentExporter:
    """The document exporter writing ``fmt`` into ``directory``."""
    # imported here: the exporters bring the frame-writing libraries with them
    from skyscope.exporters import CSVExporter, JSONLExporter, MsgpackExporter, RunHDF5Exporter

    exporters: dict[str, type[DocumentExporter]] = {
        "csv": CSVExporter,
        "hdf5": RunHDF5Exporter,
        "jsonl": JSONLExporter,
        "msgpack": MsgpackExporter,
    }
    return exporters[fmt](directory)


def export_run(run: Run, fmt: str, directory: str | Path) -> list[Path]:
    """Write ``run`` as ``fmt`` into ``directory`` (created if missing); return the files."""
    if fmt not in FORMATS:
        raise CatalogError(f"cannot export as {fmt!r}; formats: {', '.join(FORMATS)}")
    exporter = _exporter(fmt, Path(directory))
    try:
        return exporter.export(run.documents())
    except (OSError, ValueError) as error:
        raise CatalogError(f"exporting run {run.uid[:8]} as {fmt} failed: {error}") from error

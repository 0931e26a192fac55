"""skyscope.exporters: a run's documents exported to files (frames stay where writers put them)."""

from ._columns import StreamColumns, TableNames, stream_columns
from ._csv_export import CSVExporter
from ._document_exporter import Document, DocumentExporter, RunOutput, run_file_stem
from ._document_files import (
    ENCODINGS,
    EveryDocumentExporter,
    JSONLExporter,
    MsgpackExporter,
    read_jsonl,
    read_msgpack,
)
from ._ome_export import OMEExporter, OMEOptions, OMETiffExporter, OMEZarrExporter
from ._ome_model import OME_ANNOTATION_NAMESPACE
from ._ome_planes import INDEX_KEYS
from ._run_hdf5 import RunHDF5Exporter
from ._sinks import AsyncSinkExporter, BinarySink, SinkExporter
from ._spec_export import SpecExporter
from ._tiff_series import TiffSeriesExporter

__all__ = [
    "DocumentExporter",
    "JSONLExporter",
    "MsgpackExporter",
    "CSVExporter",
    "SpecExporter",
    "TiffSeriesExporter",
    "SinkExporter",
    "AsyncSinkExporter",
    "BinarySink",
    "RunHDF5Exporter",
    "OMETiffExporter",
    "OMEZarrExporter",
    "OMEExporter",
    "OMEOptions",
    "INDEX_KEYS",
    "OME_ANNOTATION_NAMESPACE",
    "read_jsonl",
    "ENCODINGS",
    "read_msgpack",
    # building blocks for new exporters
    "Document",
    "RunOutput",
    "EveryDocumentExporter",
    "StreamColumns",
    "TableNames",
    "stream_columns",
    "run_file_stem",
]

"""skyscope.exporters: frames written once by detector writers; documents exported to files."""

from ._columns import StreamColumns, TableNames, stream_columns
from ._compression import COMPRESSIONS, Compression
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
from ._errors import FrameWriterError
from ._frame_sink import FrameSink
from ._frame_writer import FrameWriter
from ._hdf5_frames import HDF5_SUFFIXES, HDF5FrameSink, HDF5FrameWriter
from ._image_axes import AXIS_TYPES, LEADING_AXES, SPACE_UNITS, TIME_UNITS, ImageAxes
from ._ngff import NGFF_VERSION, ngff_image
from ._ome_export import OMEExporter, OMEOptions, OMETiffExporter, OMEZarrExporter
from ._ome_model import OME_ANNOTATION_NAMESPACE
from ._ome_planes import INDEX_KEYS
from ._ome_xml import ome_pixel_type, ome_xml, written_sizes
from ._queued_writer import QueuedFrameWriter
from ._run_hdf5 import RunHDF5Exporter
from ._sinks import AsyncSinkExporter, BinarySink, SinkExporter
from ._spec_export import SpecExporter
from ._stream_assets import Frame, StreamAsset, StreamAssets, file_uri, frame_data_key
from ._tiff_frames import TIFF_SUFFIXES, OMETiffFrameWriter, TiffFrameSink
from ._tiff_series import TiffSeriesExporter
from ._zarr_frames import ARRAY_PATH, OMEZarrFrameWriter, ZarrFrameSink

__all__ = [
    # frame writers
    "FrameWriter",
    "HDF5FrameWriter",
    "OMEZarrFrameWriter",
    "OMETiffFrameWriter",
    "ImageAxes",
    "QueuedFrameWriter",
    "FrameWriterError",
    "Compression",
    "COMPRESSIONS",
    "HDF5_SUFFIXES",
    "TIFF_SUFFIXES",
    "ARRAY_PATH",
    "AXIS_TYPES",
    "LEADING_AXES",
    "SPACE_UNITS",
    "TIME_UNITS",
    # OME metadata
    "NGFF_VERSION",
    "ngff_image",
    "ome_xml",
    "ome_pixel_type",
    "written_sizes",
    # building blocks for new formats
    "FrameSink",
    "HDF5FrameSink",
    "ZarrFrameSink",
    "TiffFrameSink",
    "Frame",
    "StreamAsset",
    "StreamAssets",
    "file_uri",
    "frame_data_key",
    # document exporters
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

"""skyscope.writers: frames written once, off the event loop, by the devices that make them."""

from ._compression import COMPRESSIONS, Compression, checked_compression
from ._errors import FrameWriterError
from ._frame_sink import FrameSink
from ._frame_writer import FrameWriter, write_acknowledged
from ._hdf5_frames import HDF5_MIMETYPE, HDF5_SUFFIXES, HDF5FrameSink, HDF5FrameWriter
from ._hdf5_images import HDF5ImageSink, HDF5ImageWriter
from ._image_axes import AXIS_TYPES, LEADING_AXES, SPACE_UNITS, TIME_UNITS, ImageAxes
from ._image_set import FrameAddress, ImageSpec
from ._image_set_sink import ImageSetSink
from ._image_set_writer import ImageSetWriter
from ._ngff import NGFF_VERSION, ngff_image
from ._ome_description import (
    OmeImage,
    OmePlane,
    TiffPages,
    ome_model,
    ome_pixel_type,
    ome_xml_bytes,
)
from ._ome_xml import ome_xml, written_sizes
from ._queued_writer import QueuedFrameWriter
from ._stream_assets import Frame, StreamAssets, file_uri, frame_data_key
from ._tiff_frames import TIFF_SUFFIXES, OMETiffFrameWriter, TiffFrameSink
from ._tiff_images import OMETiffImageWriter, TiffImageSink, image_files
from ._zarr_frames import ARRAY_PATH, OMEZarrFrameWriter, ZarrFrameSink, zarr_chunk_codec
from ._zarr_images import OMEZarrImageWriter, ZarrImageSink

__all__ = [
    # frame writers
    "FrameWriter",
    "write_acknowledged",
    "HDF5FrameWriter",
    "OMEZarrFrameWriter",
    "OMETiffFrameWriter",
    # several images at once (an MDA's positions)
    "ImageSetWriter",
    "OMEZarrImageWriter",
    "OMETiffImageWriter",
    "HDF5ImageWriter",
    "image_files",
    "ImageSpec",
    "FrameAddress",
    "ImageSetSink",
    "ZarrImageSink",
    "TiffImageSink",
    "HDF5ImageSink",
    "ImageAxes",
    "QueuedFrameWriter",
    "FrameWriterError",
    "Compression",
    "COMPRESSIONS",
    "checked_compression",
    "HDF5_MIMETYPE",
    "HDF5_SUFFIXES",
    "TIFF_SUFFIXES",
    "ARRAY_PATH",
    "AXIS_TYPES",
    "LEADING_AXES",
    "SPACE_UNITS",
    "TIME_UNITS",
    # OME metadata: one builder for writers and exporters
    "NGFF_VERSION",
    "ngff_image",
    "OmeImage",
    "OmePlane",
    "TiffPages",
    "ome_model",
    "ome_xml_bytes",
    "ome_xml",
    "ome_pixel_type",
    "written_sizes",
    "zarr_chunk_codec",
    # building blocks for new formats
    "FrameSink",
    "HDF5FrameSink",
    "ZarrFrameSink",
    "TiffFrameSink",
    "Frame",
    "StreamAssets",
    "file_uri",
    "frame_data_key",
]

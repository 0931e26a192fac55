"""An MDA's images in one HDF5 file: a ``t, c, z, y, x`` dataset per position, SWMR-readable.

Every dataset is made at its full size before the first frame (SWMR forbids new objects
later); frames go straight into their chunks; readers in other processes see each
acknowledged frame. At close the file is reopened to add what is only known then: display
ranges and the frames never taken.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from ._file_space import FileSpace
from ._hdf5_frames import HDF5_MIMETYPE
from ._image_set import FrameAddress, ImageSpec
from ._image_set_sink import ImageSetSink
from ._image_set_writer import ImageSetWriter
from ._ngff import ngff_image
from ._stream_assets import Frame


class HDF5ImageWriter(ImageSetWriter):
    """Writes an MDA's positions as datasets ``/<i>/image`` of one HDF5 file (``*.h5``)."""

    format_name = "HDF5"

    def _create_sink(
        self,
        path: Path,
        images: tuple[ImageSpec, ...],
        frame_shape: tuple[int, ...],
        dtype: np.dtype[Any],
    ) -> ImageSetSink:
        return HDF5ImageSink(path, images, frame_shape, dtype)


class HDF5ImageSink(ImageSetSink):
    """The file: one group per image holding its dataset, NGFF-style metadata as attributes."""

    kind = "HDF5 file"
    mimetype = HDF5_MIMETYPE

    def __init__(
        self,
        path: Path,
        images: tuple[ImageSpec, ...],
        frame_shape: tuple[int, ...],
        dtype: np.dtype[Any],
    ) -> None:
        super().__init__(path, images)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._dtype = dtype
        self._file: h5py.File | None = h5py.File(path, "w-", libver="latest")
        self._datasets = []
        for number, spec in enumerate(images):
            group = self._file.create_group(str(number))
            shape = spec.axes.shape(frame_shape)
            lead = len(spec.axes.leading)
            self._datasets.append(
                group.create_dataset(
                    "image", shape=shape, chunks=(1,) * lead + frame_shape, dtype=dtype
                )
            )
            group.attrs["ome"] = json.dumps(ngff_image(spec.name, spec.axes, dtype, "image"))
            group.attrs["axes"] = list(spec.axes.names())
        self._file.swmr_mode = True
        self._space = FileSpace(path, int(np.prod(frame_shape)) * dtype.itemsize)

    def parameters(self, image: int) -> dict[str, Any]:
        """The image's dataset."""
        return {"dataset": f"/{image}/image"}

    def write(self, address: FrameAddress, frame: Frame) -> None:
        """Write the frame straight into its chunk, once the disk has room for it."""
        assert self._file is not None
        self._space.reserve(self._file.id.get_filesize(), frame.nbytes)
        offset = (*address.coords, 0, 0)
        self._datasets[address.image].id.write_direct_chunk(offset, np.ascontiguousarray(frame))

    def sync(self) -> None:
        """Flush the datasets and the file for SWMR readers."""
        assert self._file is not None
        for dataset in self._datasets:
            dataset.flush()
        self._file.flush()

    def close(self) -> None:
        """Close, then reopen to record display windows and the frames never taken."""
        if self._file is None:
            return
        try:
            self.sync()
            self._space.release(self._file.id.get_filesize())
        finally:
            self._file.close()
            self._file = None
            self._space.close(fsync=True)
        with h5py.File(self.path, "r+") as file:
            for number, spec in enumerate(self.images):
                group = file[str(number)]
                ome = ngff_image(spec.name, spec.axes, self._dtype, "image", self.windows(number))
                group.attrs["ome"] = json.dumps(ome)
                group.attrs["frames_not_taken"] = json.dumps(self.not_taken(number))
                group.attrs["frames_taken"] = self.taken(number)

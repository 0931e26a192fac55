"""The stream documents that reference one data key's frames in one file."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from skyscope.documents import DataKey, StreamAsset, StreamDatum, StreamResource

Frame = npt.NDArray[np.generic]
"""One detector frame: an n-dimensional numpy array."""


def file_uri(path: Path) -> str:
    """Return the ``file://localhost/<absolute path>`` URI the stream resource names."""
    return "file://localhost" + path.resolve().as_posix()


def frame_data_key(frame_shape: tuple[int, ...], dtype: np.dtype[Any], source: str) -> DataKey:
    """Describe one frame per event stored externally (``external: "STREAM:"``)."""
    return {
        "source": source,
        "dtype": "array",
        "shape": list(frame_shape),
        "dtype_numpy": dtype.str,
        "external": "STREAM:",
    }


class StreamAssets:
    """Emits one stream resource for a file, then one stream datum per newly written range."""

    def __init__(self, data_key: str, mimetype: str, uri: str, parameters: dict[str, Any]) -> None:
        self._resource: StreamResource = {
            "uid": str(uuid.uuid4()),
            "data_key": data_key,
            "mimetype": mimetype,
            "uri": uri,
            "parameters": parameters,
        }
        self._emitted = 0
        self._datum_count = 0

    def collect(self, indices_written: int, available: int) -> Iterator[StreamAsset]:
        """Yield the resource (first time) and a datum for frames ``[last, indices_written)``.

        ``available`` is how many frames the writer acknowledged: a datum never names more.
        """
        if indices_written > available:
            raise ValueError(
                f"cannot reference frames up to index {indices_written}: only {available} "
                f"of {self._resource['data_key']!r} are written"
            )
        if indices_written < self._emitted:
            raise ValueError(
                f"indices_written went back from {self._emitted} to {indices_written} "
                f"for {self._resource['data_key']!r}"
            )
        if indices_written == self._emitted:
            return
        if self._emitted == 0:
            yield "stream_resource", self._resource
        yield "stream_datum", self._datum(self._emitted, indices_written)
        self._emitted = indices_written

    def _datum(self, start: int, stop: int) -> StreamDatum:
        """Make the datum for frames ``[start, stop)``; the engine fills descriptor/seq_nums."""
        uid = f"{self._resource['uid']}/{self._datum_count}"
        self._datum_count += 1
        return {
            "uid": uid,
            "stream_resource": self._resource["uid"],
            "descriptor": "",
            "indices": {"start": start, "stop": stop},
            "seq_nums": {"start": 0, "stop": 0},
        }

"""Readables a plan fills itself: per-frame facts (index, position, timing) and frame files.

The engine builds events by reading devices, so what the MDA knows about a frame — its useq
index, where the stage was, when it was due — is a small readable the plan sets before each
``read``. ``PlanFrames`` does the same for frames the plan writes to a ``FrameWriter`` itself.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any, Literal

from ..documents import DataKey, Reading, StreamAsset
from ..writers import FrameWriter

FieldKind = Literal["integer", "number", "string"]
"""The JSON type of one field."""

_DEFAULTS: dict[FieldKind, Any] = {"integer": -1, "number": 0.0, "string": ""}


class Standalone:
    """A named readable outside any device tree."""

    def __init__(self, name: str) -> None:
        self._name = name

    @property
    def name(self) -> str:
        """The name (the ``object_keys`` entry of the stream)."""
        return self._name

    @property
    def parent(self) -> None:
        """No parent device."""
        return None


class CameraConfiguration:
    """The camera's configuration, for the descriptor of the stream its frames go to.

    Readables standing in for a camera (its file, the plan's writer) pass on its settings, so
    the primary descriptor's ``configuration`` holds the exposure, gain, binning, ROI ...
    """

    def __init__(self, camera: Any) -> None:
        """Pass on ``camera``'s configuration (none if it has none)."""
        self._camera = camera

    async def read_configuration(self) -> dict[str, Reading[Any]]:
        """The camera's configuration readings."""
        read = getattr(self._camera, "read_configuration", None)
        return dict(await read()) if read is not None else {}

    async def describe_configuration(self) -> dict[str, DataKey]:
        """The camera's configuration data keys."""
        describe = getattr(self._camera, "describe_configuration", None)
        return dict(await describe()) if describe is not None else {}


class Record(Standalone):
    """A readable whose values the plan sets: ``record.update(t=0, x_um=1.5)``, then read it."""

    def __init__(
        self,
        name: str,
        fields: Mapping[str, tuple[FieldKind, str | None]],
        hinted: Sequence[str] = (),
    ) -> None:
        """Describe ``fields`` as {key: (json kind, units or None)}; keys are the data keys.

        ``hinted`` names the fields worth a plot or a table column (bluesky's hints).
        """
        super().__init__(name)
        self._fields = dict(fields)
        self._values: dict[str, Any] = {k: _DEFAULTS[kind] for k, (kind, _) in fields.items()}
        unknown = set(hinted) - self._fields.keys()
        if unknown:
            raise KeyError(f"{name} cannot hint fields it does not have: {sorted(unknown)}")
        self._hinted = list(hinted)

    @property
    def hints(self) -> dict[str, list[str]]:
        """The hinted fields."""
        return {"fields": list(self._hinted)}

    def update(self, **values: Any) -> None:
        """Set some fields; unknown names are refused."""
        unknown = values.keys() - self._fields.keys()
        if unknown:
            raise KeyError(f"{self._name} has no field(s) {sorted(unknown)}")
        self._values.update(values)

    def values(self) -> dict[str, Any]:
        """Return the current values."""
        return dict(self._values)

    async def read(self) -> dict[str, Reading[Any]]:
        """Return every field as a reading stamped now."""
        now = time.time()
        return {k: {"value": v, "timestamp": now} for k, v in self._values.items()}

    async def describe(self) -> dict[str, DataKey]:
        """Describe every field (scalar, with units where given)."""
        keys: dict[str, DataKey] = {}
        for key, (kind, units) in self._fields.items():
            data_key: DataKey = {"source": f"plan://{self._name}", "dtype": kind, "shape": []}
            if units:
                data_key["units"] = units
            keys[key] = data_key
        return keys


class PlanFrames(Standalone, CameraConfiguration):
    """Frames the plan writes itself: describes the file's data key and hands out its assets."""

    def __init__(self, name: str, writer: FrameWriter, camera: Any = None) -> None:
        """Reference frames of ``writer`` under the device name ``name`` (the camera's)."""
        Standalone.__init__(self, name)
        CameraConfiguration.__init__(self, camera)
        self._writer = writer
        self._keys: dict[str, DataKey] = {}
        self._referenced = 0

    async def open(self, shape: tuple[int, ...], dtype: Any, source: str) -> None:
        """Open the writer for frames of ``shape``/``dtype`` (data key ``<name>-image``)."""
        self._referenced = 0
        self._keys = await self._writer.open(f"{self._name}-image", shape, dtype, source=source)

    async def close(self) -> None:
        """Close the writer (its file stays readable)."""
        if self._keys:
            self._keys = {}
            await self._writer.close()

    @property
    def hints(self) -> dict[str, list[str]]:
        """No field to plot or tabulate: the frames are in a file."""
        return {"fields": []}

    async def read(self) -> dict[str, Reading[Any]]:
        """Nothing inline: the frames are in the file."""
        return {}

    async def describe(self) -> dict[str, DataKey]:
        """Describe the image data key (``external: "STREAM:"``)."""
        return dict(self._keys)

    async def collect_asset_docs(self, index: int | None = None) -> AsyncIterator[StreamAsset]:
        """The next frame's stream documents, once it is acknowledged: one frame per event."""
        wanted = self._referenced + 1 if index is None else index
        await self._writer.acknowledged_at_least(wanted)
        self._referenced = max(self._referenced, wanted)
        for doc in self._writer.collect_stream_docs(wanted):
            yield doc

    def get_index(self) -> int:
        """Return how many frames are in the file."""
        return self._writer.get_indices_written()


class CameraFrames(CameraConfiguration):
    """The frames a camera writes into its own file: its external data keys and their assets.

    Events read this instead of the camera so a frame of a hardware burst is referenced without
    the camera's per-trigger readings (which a sequence does not update frame by frame).
    """

    def __init__(self, camera: Any) -> None:
        """Reference the files of ``camera`` (one with a frame writer)."""
        super().__init__(camera)
        self._referenced = 0

    @property
    def name(self) -> str:
        """The camera's name."""
        return str(self._camera.name)

    @property
    def parent(self) -> None:
        """Stand-alone."""
        return None

    @property
    def hints(self) -> dict[str, list[str]]:
        """No field to plot or tabulate: the frames are in the camera's file."""
        return {"fields": []}

    async def read(self) -> dict[str, Reading[Any]]:
        """Nothing inline: the frames are in the camera's file."""
        return {}

    async def describe(self) -> dict[str, DataKey]:
        """Describe the camera's external (file) data keys."""
        keys: dict[str, DataKey] = await self._camera.describe()
        return {k: v for k, v in keys.items() if v.get("external") == "STREAM:"}

    def collect_asset_docs(self, index: int | None = None) -> Iterator[StreamAsset]:
        """Pass on the camera's stream documents for the next frame only: one per event.

        During a burst the file may already hold later frames; each event references exactly
        its own, so the stream datums' rows match the events' seq_nums.
        """
        if index is None:
            index = min(self._referenced + 1, int(self._camera.get_index()))
        self._referenced = max(self._referenced, index)
        docs: Iterator[StreamAsset] = self._camera.collect_asset_docs(index)
        return docs

    def get_index(self) -> int:
        """Return how many frames are in the camera's file."""
        return int(self._camera.get_index())

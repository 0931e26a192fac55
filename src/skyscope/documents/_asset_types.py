"""Documents that reference externally stored data (event-model 1.24).

``Resource``/``Datum``/``DatumPage`` are the older file-per-handler scheme; ``StreamResource``/
``StreamDatum`` are the scheme ophyd-async detectors use: one stream resource per file and data
key, and one stream datum per flush naming the frame indices and event ``seq_num`` range.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

from ._arrays import AnyArray, ArrayOf

PathSemantics = Literal["posix", "windows"]
"""How a resource's paths are joined."""


@with_config(ConfigDict(extra="forbid"))
class Resource(TypedDict):
    """A file (or group of files) read by a handler named by ``spec``."""

    uid: str
    spec: str
    """Which handler reads this resource."""
    root: str
    """The part of the path that is a local detail, not semantic."""
    resource_path: str
    """The path (below ``root``) or URI of the resource."""
    resource_kwargs: dict[str, Any]
    """Arguments for the handler."""
    path_semantics: NotRequired[PathSemantics]
    run_start: NotRequired[str]
    """uid of the run's start document."""


@with_config(ConfigDict(extra="forbid"))
class Datum(TypedDict):
    """One piece of a resource: the arguments that make its handler return it."""

    datum_id: str
    """Unique ID, conventionally '<resource uid>/<n>'; events hold it as their value."""
    resource: str
    """uid of the resource."""
    datum_kwargs: dict[str, Any]
    """Arguments that select this piece."""


@with_config(ConfigDict(extra="forbid"))
class DatumPage(TypedDict):
    """Many datums of one resource, as columns."""

    datum_id: ArrayOf[str]
    resource: str
    datum_kwargs: dict[str, AnyArray]


class StreamResource(TypedDict):
    """A file holding one data key's frames, appended to as the run goes."""

    uid: str
    data_key: str
    """The descriptor data key (with ``external: "STREAM:"``) whose data this holds."""
    mimetype: str
    """The file format, e.g. 'application/x-hdf5'."""
    uri: str
    """Where the file is, e.g. 'file://localhost/abs/path.h5'."""
    parameters: dict[str, Any]
    """What a reader needs besides the uri (dataset path, chunk shape…)."""
    run_start: NotRequired[str]
    """uid of the run's start document."""


class StreamRange(TypedDict):
    """A half-open integer range ``[start, stop)``."""

    start: int
    stop: int


class StreamDatum(TypedDict):
    """A flushed slice of a stream resource and the events it belongs to."""

    uid: str
    """Unique ID, conventionally '<stream resource uid>/<n>'."""
    stream_resource: str
    """uid of the stream resource."""
    descriptor: str
    """uid of the descriptor of the events this data belongs to."""
    indices: StreamRange
    """Which frames of the resource."""
    seq_nums: StreamRange
    """Which events (by ``seq_num``) these frames belong to."""


StreamAsset = (
    tuple[Literal["stream_resource"], StreamResource] | tuple[Literal["stream_datum"], StreamDatum]
)
"""A ``(name, doc)`` pair a detector hands the engine to reference its frames."""

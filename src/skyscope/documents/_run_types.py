"""The documents that open and close a run: ``RunStart`` and ``RunStop`` (event-model 1.24).

A start document may carry any further metadata whose keys contain neither ``.`` nor ``/``;
the validator enforces that, as event-model's schema does.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

from ._arrays import ArrayOf

ExitStatus = Literal["success", "abort", "fail"]
"""How a run ended."""


class StartHints(TypedDict):
    """Start-level hints: the independent axes of the experiment."""

    dimensions: NotRequired[ArrayOf[ArrayOf[ArrayOf[str] | str]]]
    """The independent axes, slow to fast: ``[[[field, ...], stream_name], ...]``."""


class Calculation(TypedDict):
    """A callable that computes a projected value."""

    callable: str
    """Import path of the function that performs the calculation."""
    args: NotRequired[ArrayOf[Any]]
    """Positional arguments for the callable."""
    kwargs: NotRequired[dict[str, Any]]
    """Keyword arguments for the callable."""


class ConfigurationProjection(TypedDict):
    """A projected value linked from a descriptor's configuration."""

    config_device: str
    config_index: int
    field: str
    location: Literal["configuration"]
    stream: str
    type: Literal["linked"]


class LinkedEventProjection(TypedDict):
    """A projected value linked from events."""

    field: str
    location: Literal["event"]
    stream: str
    type: Literal["linked"]


class CalculatedEventProjection(TypedDict):
    """A projected value computed from events."""

    calculation: Calculation
    field: str
    location: Literal["event"]
    stream: str
    type: Literal["calculated"]


class StaticProjection(TypedDict):
    """A projected value given here, literally."""

    type: Literal["static"]
    value: Any


Projection = (
    ConfigurationProjection | LinkedEventProjection | CalculatedEventProjection | StaticProjection
)
"""One entry of a projection."""


class Projections(TypedDict):
    """How to interpret this run as a given projection."""

    configuration: dict[str, Any]
    """Static information about the projection."""
    projection: dict[str, Projection]
    version: str
    """Version of the projection spec."""
    name: NotRequired[str]
    """Name of the projection."""


@with_config(ConfigDict(extra="allow"))
class RunStart(TypedDict):
    """Opens a run: its uid, start time and metadata; later documents link to it."""

    uid: str
    """Globally unique ID of this run."""
    time: float
    """When the run started (Unix epoch seconds)."""
    data_groups: NotRequired[ArrayOf[str]]
    """Data access groups meaningful to an external system (facility, proposal…)."""
    data_session: NotRequired[str]
    """A data-management grouping of runs (a visit or set of trials)."""
    data_type: NotRequired[dict[str, Any]]
    group: NotRequired[str]
    """Unix group to associate this data with."""
    hints: NotRequired[StartHints]
    """Start-level hints."""
    owner: NotRequired[str]
    """Unix owner to associate this data with."""
    project: NotRequired[str]
    """Name of the project this run is part of."""
    projections: NotRequired[ArrayOf[Projections]]
    sample: NotRequired[dict[str, Any] | str]
    """Information about the sample, or a uid into another collection."""
    scan_id: NotRequired[int]
    """Scan ID number, not globally unique."""


@with_config(ConfigDict(extra="allow"))
class RunStop(TypedDict):
    """Closes a run: its end time, exit status, reason and event counts per stream."""

    uid: str
    """Globally unique ID of this document."""
    time: float
    """When the run ended (Unix epoch seconds)."""
    run_start: str
    """uid of the start document this stop closes."""
    exit_status: ExitStatus
    """How the run ended."""
    reason: NotRequired[str]
    """Long-form description of why the run ended."""
    num_events: NotRequired[dict[str, int]]
    """Number of events per stream name."""
    data_type: NotRequired[Any]

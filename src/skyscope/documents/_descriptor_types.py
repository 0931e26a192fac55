"""The document that describes one stream's events: ``EventDescriptor`` (event-model 1.24)."""

from __future__ import annotations

from typing import Annotated, Any, NotRequired

import numpy as np
from pydantic import BeforeValidator, ConfigDict, StringConstraints, with_config
from typing_extensions import TypedDict

from ._arrays import ArrayOf
from ._data_key import DataKey


def _lists_for_sequences(data_keys: object) -> object:
    """Let a data key's tuple ``shape`` or JSON-decoded ``dtype_numpy`` pairs pass strict checks.

    event-model accepts any array there; only the copy handed to pydantic is normalised.
    """
    if not isinstance(data_keys, dict):
        return data_keys
    return {name: _normalised(key) for name, key in data_keys.items()}


def _normalised(data_key: object) -> object:
    if not isinstance(data_key, dict):
        return data_key
    shape = data_key.get("shape")
    dtype_numpy = data_key.get("dtype_numpy")
    if isinstance(shape, tuple | np.ndarray):
        data_key = {**data_key, "shape": list(shape)}
    if isinstance(dtype_numpy, list | tuple):
        pairs = [tuple(p) if isinstance(p, list) else p for p in dtype_numpy]
        data_key = {**data_key, "dtype_numpy": pairs}
    return data_key


DataKeys = Annotated[dict[str, DataKey], BeforeValidator(_lists_for_sequences)]
"""Data keys by name, as a descriptor (or a configuration entry) carries them."""


class PerObjectHint(TypedDict):
    """The 'interesting' data keys of a device (and, optionally, its NeXus class)."""

    fields: NotRequired[ArrayOf[str]]
    """The interesting data keys of this device."""
    NX_class: NotRequired[Annotated[str, StringConstraints(pattern=r"^NX[A-Za-z_]+$")]]
    """The NeXus class of this device."""


class Configuration(TypedDict):
    """One device's configuration readings, recorded once per descriptor."""

    data: NotRequired[dict[str, Any]]
    """The configuration values."""
    data_keys: NotRequired[DataKeys]
    """What each configuration value is."""
    timestamps: NotRequired[dict[str, Any]]
    """When each configuration value was read."""


@with_config(ConfigDict(extra="allow"))
class EventDescriptor(TypedDict):
    """Describes the data in one stream's events: data keys, configuration, object keys, hints."""

    uid: str
    """Globally unique ID of this descriptor."""
    time: float
    """When the descriptor was made (Unix epoch seconds)."""
    run_start: str
    """uid of the run's start document."""
    data_keys: DataKeys
    """What each value in the events is: source, dtype, shape, and more."""
    name: NotRequired[str]
    """The stream's name, e.g. 'primary' or 'baseline'."""
    configuration: NotRequired[dict[str, Configuration]]
    """Configuration readings per device, needed to interpret the events."""
    object_keys: NotRequired[dict[str, Any]]
    """Device name to the data keys it produces."""
    object_classes: NotRequired[dict[str, str]]
    """Device name to the import path of its class."""
    hints: NotRequired[PerObjectHint]
    """Which data keys are interesting (usually keyed by device name)."""

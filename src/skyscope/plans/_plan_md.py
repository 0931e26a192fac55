"""The start-document metadata of a plan: what bluesky's callbacks and a catalog look for.

``LiveTable`` and ``BestEffortCallback`` read ``plan_type``, ``plan_name``, ``detectors``,
``motors``, ``num_points`` and ``hints.dimensions`` (``[([field, ...], stream), ...]``); a
queue server replays a run from ``plan_args``, so those are plain JSON with devices by name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

Dimension = tuple[Sequence[str], str]
"""One independent axis: the fields that vary along it (the first is plotted) and its stream."""


def plan_metadata(
    plan_name: str,
    plan_args: Mapping[str, Any],
    *,
    detectors: Iterable[Any] = (),
    motors: Iterable[Any] = (),
    num_points: int | None,
    dimensions: Sequence[Dimension],
) -> dict[str, Any]:
    """Return the standard start metadata of a run of ``plan_name`` called with ``plan_args``."""
    return {
        "plan_type": "generator",
        "plan_name": plan_name,
        "plan_args": {key: jsonable(value) for key, value in plan_args.items()},
        "detectors": device_names(detectors),
        "motors": device_names(motors),
        "num_points": num_points,
        "num_intervals": None if num_points is None else max(num_points - 1, 0),
        "hints": {"dimensions": [[list(fields), stream] for fields, stream in dimensions]},
    }


def device_names(objs: Iterable[Any]) -> list[str]:
    """The names of ``objs`` (their ``name``, else their text)."""
    return [str(getattr(o, "name", None) or o) for o in objs]


def jsonable(value: Any) -> Any:
    """Return ``value`` as plain JSON: devices by name, models and dataclasses as objects."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, np.generic | np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, Mapping):
        return {str(jsonable(k)): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item) for item in value]
    dump = getattr(value, "model_dump", None)
    if callable(dump) and not isinstance(value, type):
        return jsonable(dump(mode="json"))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    name = getattr(value, "name", None)
    if isinstance(name, str) and name:
        return name  # a device, or anything else known by its name
    if callable(value):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', value)!s}"
    return repr(value)

"""What a stream's descriptor says of its devices.

Data keys as event-model takes them, each device's configuration, and hints that name only the
stream's own keys.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from ._awaiting import maybe_await

logger = logging.getLogger(__name__)


def as_described(keys: Mapping[str, Any]) -> Mapping[str, Any]:
    """Data keys as event-model accepts them: an "integer" given a decimal precision is a number.

    ophyd devices describe a number by its current value's type (a motor at 0 says "integer",
    with ``precision: 3``, then reads 0.5); bluesky's RunEngine records such runs, so the
    engine describes these keys as "number" (logged) instead of failing the run.
    """
    widened = {
        key: {**data_key, "dtype": "number"}
        for key, data_key in keys.items()
        if data_key.get("dtype") == "integer"
        and data_key.get("precision")
        and not data_key.get("shape")
    }
    if not widened:
        return keys
    logger.info("%s: described as integers with a precision; recorded as numbers", sorted(widened))
    return {**keys, **widened}


async def configuration(objs: tuple[Any, ...]) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for obj in objs:
        if not hasattr(obj, "read_configuration"):
            continue
        readings = await maybe_await(obj.read_configuration())
        keys = await maybe_await(obj.describe_configuration())
        config[_name(obj)] = {
            "data": {k: r["value"] for k, r in readings.items()},
            "timestamps": {k: r["timestamp"] for k, r in readings.items()},
            "data_keys": dict(keys),
        }
    return config


def hints_of(objs: tuple[Any, ...], object_keys: Mapping[str, list[str]]) -> dict[str, Any]:
    """Each object's hints, naming only fields among its data keys in this stream.

    A device hints the same fields whether it is read or collected, but a camera collected as
    a flyer describes only its frames: its hinted mean is no data key there, and bluesky's
    callbacks would look it up and fail.
    """
    hints: dict[str, Any] = {}
    for obj in objs:
        given = getattr(obj, "hints", None)
        if not isinstance(given, dict):
            continue
        name = _name(obj)
        own = dict(given)
        if isinstance(own.get("fields"), list):
            keys = set(object_keys.get(name, ()))
            own["fields"] = [f for f in own["fields"] if f in keys]
        hints[name] = own
    return hints


def _name(obj: Any) -> str:
    return str(getattr(obj, "name", None) or repr(obj))

"""The two shapes of a flyer's ``describe_collect``: its data keys, or them keyed by stream name.

ophyd's older flyers answer ``{stream_name: {data_key: DataKey}}``; bluesky accepts both
shapes (a dict whose values each have a ``source`` string is the flat one), so the engine does
too, and collects such a flyer into the stream it names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._errors import IllegalMessageSequence


def collect_stream(described: Mapping[str, Any], obj_name: str) -> tuple[str | None, Any]:
    """The stream the flyer names (None if flat) and its data keys, from ``describe_collect``."""
    if not described or _are_data_keys(described):
        return None, described
    if not all(isinstance(v, Mapping) and _are_data_keys(v) for v in described.values()):
        return None, described  # neither shape: the descriptor's validation names what is wrong
    if len(described) > 1:
        raise IllegalMessageSequence(
            f"{obj_name!r}: describe_collect names several streams ({', '.join(described)}); "
            "skyscope collects one stream per flyer: give each stream its own flyer"
        )
    ((stream, keys),) = described.items()
    return str(stream), keys


def _are_data_keys(keys: Mapping[str, Any]) -> bool:
    return all(isinstance(v, Mapping) and isinstance(v.get("source"), str) for v in keys.values())

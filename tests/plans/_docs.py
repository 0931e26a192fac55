"""Documents of a run as the plans' tests look at them: events by stream."""

from __future__ import annotations

from typing import Any

Docs = list[tuple[str, Any]]


def stream_events(docs: Docs, *streams: str) -> list[dict[str, Any]]:
    """The events of the named streams (``primary`` when none is named), in order."""
    wanted = set(streams or ("primary",))
    uids = {d["uid"] for n, d in docs if n == "descriptor" and d["name"] in wanted}
    return [d for n, d in docs if n == "event" and d["descriptor"] in uids]


def stream_of(docs: Docs) -> dict[str, str]:
    """Each descriptor's stream name by its uid."""
    return {d["uid"]: d["name"] for n, d in docs if n == "descriptor"}

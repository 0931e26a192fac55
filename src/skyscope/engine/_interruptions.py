"""The 'interruptions' stream: an event in each open run when the plan pauses or resumes.

``engine.record_interruptions = True`` (bluesky's ``RE.record_interruptions``) keeps in the
run itself when acquisition stopped and went on again, and why (``pause``, ``resume`` or a
suspender's reason), so an analysis can tell a gap in the data from a slow detector. The
stream's descriptor is made at the run's first interruption.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from ..documents import DataKey
from ._session import Session

STREAM = "interruptions"
"""The stream's name, as bluesky's."""

_DATA_KEYS: dict[str, DataKey] = {
    "interruption": {"source": "RunEngine", "dtype": "string", "shape": []},
}


async def record_interruption(
    s: Session, what: str, emit: Callable[[str, Any], Awaitable[None]]
) -> None:
    """Emit one event saying ``what`` in every open run's interruptions stream."""
    for bundler in s.runs.values():
        composer = s.interruptions.get(bundler.uid)
        if composer is None:
            composer = bundler.run.descriptor(STREAM, _DATA_KEYS)
            s.interruptions[bundler.uid] = composer
            await emit("descriptor", composer.doc)
        await emit("event", composer.event({"interruption": what}, {"interruption": time.time()}))

"""Values that contradict their scalar data key's dtype: logged once per key per run, not refused.

event-model's schema does not check event values against the descriptor's dtype, and bluesky
emits them as read (ophyd's pseudo axes describe 'integer' yet read floats). So skyscope accepts
such a value and says so once per data key of a run, naming the device, key, dtype and type.
"""

from __future__ import annotations

import logging

from ._data_key import DataKey

logger = logging.getLogger(__name__)


class DtypeMismatchLog:
    """Remembers which data keys of one run have already been warned about."""

    __slots__ = ("_warned",)

    def __init__(self) -> None:
        """Start with no key warned about."""
        self._warned: set[str] = set()

    def warn(self, key: str, data_key: DataKey, problem: str, where: str) -> None:
        """Log ``problem`` for ``key`` at WARNING level, the first time only in this run."""
        if key in self._warned:
            return
        self._warned.add(key)
        device = data_key.get("object_name", "?")
        logger.warning(
            "device %r data key %r (dtype %r) %s: %s; emitted as read, as event-model's schema "
            "and bluesky accept it",
            device,
            key,
            data_key["dtype"],
            where,
            problem,
        )

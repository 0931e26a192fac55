"""Telling an observer each change of the engine's state (bluesky's ``RE.state_hook``).

A status bar or a log follows the engine this way; a hook that raises is logged and the
engine carries on, since a broken observer must not leave the engine between two states.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ._state import EngineState

logger = logging.getLogger(__name__)

StateHook = Callable[[EngineState, EngineState], Any]
"""``hook(new, old)``; the states are strings too (``"running"``, ``"idle"``...)."""


def tell_state_hook(hook: StateHook, new: EngineState, old: EngineState) -> None:
    """Call ``hook(new, old)``; log what it raises rather than let it stop the engine."""
    try:
        hook(new, old)
    except Exception:
        logger.exception("state hook %r raised on %s -> %s", hook, old.value, new.value)

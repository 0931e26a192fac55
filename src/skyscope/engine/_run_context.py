"""What surrounds each stretch of a run on the engine's loop (bluesky's ``RE.context_managers``).

Each entry is called with the engine and must give a context manager; the engine enters them
all when it starts or resumes driving a plan and leaves them when the plan ends or pauses.
Ctrl-C handling is one of them (the default), so an empty list runs without taking Ctrl-C.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._engine import Engine

RunContext = Callable[["Engine"], AbstractContextManager[Any]]
"""``factory(engine)`` giving a context manager entered around each stretch of a run."""


@contextlib.contextmanager
def sigint_while_running(engine: Engine) -> Iterator[None]:
    """Ctrl-C pauses the plan while it runs (first press at a checkpoint, second at once)."""
    handler, session = engine._sigint, engine._session
    if handler is None or session is None:
        yield
        return
    handler.install(session.loop)
    handler.armed = True
    try:
        yield
    finally:
        handler.armed = False
        handler.remove()


def entered(engine: Engine, stack: contextlib.ExitStack) -> None:
    """Enter every one of ``engine.context_managers`` on ``stack``."""
    for factory in list(engine.context_managers):
        stack.enter_context(factory(engine))

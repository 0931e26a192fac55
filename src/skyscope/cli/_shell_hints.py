"""What ``skyscope shell`` adds to IPython's messages: forgotten awaits, and short tracebacks.

A cell whose result is a coroutine or a plan ran nothing: a one-line hint says what to type.
A plan's exception reaches the prompt through the engine's own frames (its loop, the driver,
asyncio); the traceback shown keeps the cell's and the plan's frames and says how many were
hidden (``%tb`` still prints the whole of it).
"""

from __future__ import annotations

import asyncio as _asyncio_package
import inspect
from pathlib import Path
from types import TracebackType
from typing import Any

from skyscope import engine as _engine_package

HIDDEN_FOLDERS = (
    str(Path(_engine_package.__file__).parent),
    str(Path(_asyncio_package.__file__).parent),
)
"""Frames from files below these folders are the engine's machinery, not the user's code."""


def hint_for(value: Any) -> str | None:
    """A one-line hint when a cell's result shows a missing ``await`` or engine call."""
    if inspect.iscoroutine(value):
        name = getattr(value, "__qualname__", "it")
        return f"hint: {name}(...) is a coroutine and has not run: put `await` in front of it"
    if inspect.isasyncgen(value) or inspect.isgenerator(value):
        name = getattr(value, "__name__", "plan")
        return (
            f"hint: {name}(...) is a plan and has not run: `await engine({name}(...))`, or "
            f"`h = engine.start({name}(...))` to run it in the background"
        )
    return None


def shorten(tb: TracebackType | None) -> tuple[TracebackType | None, int]:
    """``tb`` without the engine's and asyncio's frames (the first, IPython's, is kept).

    Returns the new traceback and how many frames it hides.
    """
    kept: list[TracebackType] = []
    hidden = 0
    while tb is not None:
        if kept and tb.tb_frame.f_code.co_filename.startswith(HIDDEN_FOLDERS):
            hidden += 1
        else:
            kept.append(tb)
        tb = tb.tb_next
    rebuilt: TracebackType | None = None
    for frame in reversed(kept):
        rebuilt = TracebackType(rebuilt, frame.tb_frame, frame.tb_lasti, frame.tb_lineno)
    return rebuilt, hidden


def install_hints(shell: Any) -> None:
    """Hook the hints and the short tracebacks into an IPython shell."""
    shell.events.register("post_run_cell", lambda result: _print_hint(result.result))
    shell.set_custom_exc((Exception,), show_short_traceback)


def _print_hint(value: Any) -> None:
    hint = hint_for(value)
    if hint is not None:
        print(hint)


def show_short_traceback(
    shell: Any, etype: type[BaseException], value: BaseException, tb: Any, tb_offset: Any = None
) -> list[str]:
    """IPython's custom exception handler: show the traceback without the engine's frames."""
    short, hidden = shorten(tb)
    if not hidden:  # not through the engine: IPython's own display, as usual
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset, running_compiled_code=True)
        return []
    shell._get_exc_info((etype, value, tb))  # %tb and %debug get the whole traceback
    stb = shell.InteractiveTB.structured_traceback(etype, value, short, tb_offset=tb_offset)
    stb.append(f"({hidden} frames of skyscope's engine and asyncio hidden: %tb shows them)")
    shell._showtraceback(etype, value, stb)
    return []

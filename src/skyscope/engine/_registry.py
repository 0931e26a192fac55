"""The one registry of commands: each command's handler, whether it replays, and its dry run.

A rewind (resume after a pause, or after a suspension) replays the messages since the last
checkpoint; commands that change what the engine tracks rather than what the hardware does
(open a run, stage, subscribe…) say ``replay=False``, since repeating them would open a second
run or stage twice. A dry run answers each message with the command's ``dry_run`` response
instead of its handler. ``Engine.register_command`` takes the same declaration.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from . import _commands_devices as dev
from . import _commands_flow as flow
from . import _commands_flyers as fly
from . import _commands_input as ask
from . import _commands_runs as runs
from . import _commands_staging as stg
from . import _commands_waiting as w
from . import _simulation as dry
from ._context import Handler
from ._msg import Msg


@dataclass(frozen=True, slots=True)
class Command:
    """How the engine executes one command."""

    handler: Handler
    """Takes the context and the message; returns the response (or a coroutine of it)."""
    replay: bool = True
    """Whether a rewind to the last checkpoint executes it again."""
    dry_run: Handler = dry.dry_unknown
    """The response in a dry run; must touch no hardware."""


def _pure(handler: Handler, replay: bool = True) -> Command:
    """A command that only changes the engine's bookkeeping: it runs as is in a dry run too."""
    return Command(handler, replay, handler)


COMMANDS: dict[str, Command] = {
    # devices
    "set": Command(dev.set_, dry_run=dry.dry_set),
    "trigger": Command(dev.trigger, dry_run=dry.dry_trigger),
    "read": Command(dev.read, dry_run=dry.dry_read),
    "locate": Command(dev.locate, dry_run=dry.dry_locate),
    "check_value": Command(dev.check_value, dry_run=dry.dry_check_value),
    "stop": Command(dev.stop, dry_run=dry.dry_nothing),
    "configure": Command(dev.configure, dry_run=dry.dry_nothing),
    "stage": Command(stg.stage, replay=False, dry_run=dry.dry_nothing),
    "unstage": Command(stg.unstage, replay=False, dry_run=dry.dry_nothing),
    "prepare": Command(fly.prepare, dry_run=dry.dry_done),
    "kickoff": Command(fly.kickoff, dry_run=dry.dry_done),
    "complete": Command(fly.complete, dry_run=dry.dry_done),
    "collect": Command(fly.collect, dry_run=dry.dry_nothing),
    # waiting
    "wait": Command(w.wait, dry_run=dry.dry_wait),
    "wait_for": Command(w.wait_for, dry_run=dry.dry_wait_for),
    "sleep": Command(w.sleep, dry_run=dry.dry_sleep),
    "null": _pure(w.null),
    "input": Command(ask.input_, dry_run=dry.dry_input),
    # runs and events
    "open_run": Command(runs.open_run, replay=False, dry_run=dry.dry_open_run),
    "close_run": Command(runs.close_run, replay=False, dry_run=dry.dry_close_run),
    "create": Command(runs.create, dry_run=dry.dry_create),
    "save": Command(runs.save, dry_run=dry.dry_save),
    "drop": Command(runs.drop, dry_run=dry.dry_drop),
    "declare_stream": Command(runs.declare_stream, dry_run=dry.dry_nothing),
    "monitor": Command(runs.monitor, replay=False, dry_run=dry.dry_nothing),
    "unmonitor": Command(runs.unmonitor, replay=False, dry_run=dry.dry_nothing),
    # flow control
    "checkpoint": _pure(flow.checkpoint),
    "clear_checkpoint": _pure(flow.clear_checkpoint),
    "rewindable": _pure(flow.rewindable),
    "pause": Command(flow.pause, replay=False, dry_run=dry.dry_nothing),
    "subscribe": Command(flow.subscribe, replay=False, dry_run=dry.dry_subscribe),
    "unsubscribe": Command(flow.unsubscribe, replay=False, dry_run=dry.dry_nothing),
    "install_suspender": Command(flow.install_suspender, replay=False, dry_run=dry.dry_nothing),
    "remove_suspender": Command(flow.remove_suspender, replay=False, dry_run=dry.dry_nothing),
}
"""bluesky's vocabulary (plus ``check_value``), by command name."""


CustomHandler = Callable[[Msg], Awaitable[Any]]
"""The simple form of a registered command: ``async def handler(msg) -> response``."""


def with_context(name: str, handler: Handler | CustomHandler) -> Handler:
    """A registered handler as ``handler(ctx, msg)``: the simple ``async (msg)`` form wrapped."""
    try:
        params = inspect.signature(handler).parameters.values()
    except (TypeError, ValueError):
        params = None
    positional = [p for p in params or () if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(positional) >= 2:
        return handler  # type: ignore[return-value]
    if not inspect.iscoroutinefunction(handler):
        raise TypeError(
            f"the handler for {name!r} must be an async function of (msg), or a function of "
            "(ctx, msg)"
        )
    simple: CustomHandler = handler

    async def call(_ctx: Any, msg: Msg) -> Any:
        return await simple(msg)

    return call

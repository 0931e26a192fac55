"""Handlers of flow control: checkpoints, pauses, and per-plan subscriptions and suspenders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._context import Context
from ._errors import IllegalMessageSequence
from ._msg import Msg


def checkpoint(ctx: Context, msg: Msg) -> Any:
    """``Msg('checkpoint')``: a point a paused plan can rewind to (a deferred pause starts)."""
    for bundler in ctx.session.runs.values():
        if bundler.bundling:
            raise IllegalMessageSequence("cannot 'checkpoint' between 'create' and 'save'")
    ctx.session.rewind.checkpoint()
    ctx.checkpoint_reached()


def clear_checkpoint(ctx: Context, msg: Msg) -> Any:
    """``Msg('clear_checkpoint')``: from here until the next checkpoint a pause aborts."""
    ctx.session.rewind.clear_checkpoint()


def rewindable(ctx: Context, msg: Msg) -> Any:
    """``Msg('rewindable', None, flag)``: set whether messages may be replayed; returns it."""
    if msg.args and msg.args[0] is not None:
        ctx.session.rewind.rewindable = bool(msg.args[0])
    return ctx.session.rewind.rewindable


def pause(ctx: Context, msg: Msg) -> Any:
    """``Msg('pause', defer=False)``: the plan asks to be paused."""
    ctx.request_pause(bool(msg.kwargs.get("defer", False)))


def subscribe(ctx: Context, msg: Msg) -> Any:
    """``Msg('subscribe', None, callback, name='all')``: for this plan only; returns a token."""
    callback, names = msg.args[0], (msg.args[1] if len(msg.args) > 1 else "all")
    token = ctx.dispatcher.subscribe(_filtered(callback, names))
    ctx.session.plan_tokens.append(token)
    return token


def unsubscribe(ctx: Context, msg: Msg) -> Any:
    """``Msg('unsubscribe', None, token)``."""
    token = msg.args[0] if msg.args else msg.kwargs["token"]
    ctx.dispatcher.unsubscribe(token)
    if token in ctx.session.plan_tokens:
        ctx.session.plan_tokens.remove(token)


def install_suspender(ctx: Context, msg: Msg) -> Any:
    """``Msg('install_suspender', None, suspender)``: installed until removed, as in bluesky.

    bluesky's ``suspend_wrapper`` removes its suspender explicitly; the plan ending does not.
    """
    ctx.install_suspender(msg.args[0])


def remove_suspender(ctx: Context, msg: Msg) -> Any:
    """``Msg('remove_suspender', None, suspender)``."""
    ctx.remove_suspender(msg.args[0])


def _filtered(callback: Callable[[str, Any], Any], names: Any) -> Callable[[str, Any], Any]:
    if names in ("all", None):
        return callback
    wanted = {names} if isinstance(names, str) else set(names)

    def only_some(name: str, doc: Any) -> Any:
        return callback(name, doc) if name in wanted else None

    only_some.__qualname__ = getattr(callback, "__qualname__", repr(callback))
    return only_some

"""Handlers of runs and their documents: open/close a run, bundle events, streams, monitors."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, get_args

from ._awaiting import maybe_await
from ._bundler import RunBundler
from ._cleanup import finish_flyers
from ._context import Context
from ._errors import IllegalMessageSequence
from ._metadata import start_metadata
from ._msg import Msg
from ._rewind import Rewind
from ._session import Session
from ._state import ExitStatus


async def open_run(ctx: Context, msg: Msg) -> Any:
    """``Msg('open_run', **md)``: emit a start document; returns the run's uid.

    A plan that does not say ``plan_type``/``plan_name`` gets bluesky's defaults: "generator"
    and the name of the plan the engine was given.
    """
    s = ctx.session
    if msg.run in s.runs:
        raise IllegalMessageSequence(f"a run keyed {msg.run!r} is already open: close it first")
    plan_md = {"plan_type": "generator", "plan_name": _plan_name(s), **msg.kwargs}
    if "scan_id" not in s.call_md:
        ctx.md["scan_id"] = int(await maybe_await(ctx.scan_id_source(ctx.md)))
    md = start_metadata(ctx.md, plan_md, s.call_md, ctx.md_validator, ctx.md_normalizer)
    bundler = RunBundler(md, ctx.dispatcher.emit, ctx.dispatcher.push, ctx.dispatcher.offer)
    s.runs[msg.run] = bundler
    s.run_uids.append(bundler.uid)
    await bundler.open()
    return bundler.uid


def _plan_name(s: Session) -> str:
    return str(getattr(s.driver.outermost, "__name__", "") or "")


async def close_run(ctx: Context, msg: Msg) -> Any:
    """``Msg('close_run', exit_status=None, reason=None)``: emit the stop document.

    An exit status other than success, abort or fail is refused — after the run is closed as
    failed, saying why, so it still gets a valid stop document.
    """
    bundler = ctx.session.run(msg.run)
    status = msg.kwargs.get("exit_status") or "success"
    reason = str(msg.kwargs.get("reason") or "")
    refused = None
    if status not in _EXIT_STATUSES:
        refused = ValueError(
            f"close_run: exit_status must be one of {', '.join(_EXIT_STATUSES)}, got {status!r}"
        )
        status, reason = "fail", str(refused)
    if ctx.session.kicked_off:
        errors: list[BaseException] = []
        await finish_flyers(ctx.session, bundler, status != "success", errors)
    del ctx.session.runs[msg.run]
    await bundler.close(status, reason)
    if refused is not None:
        raise refused
    return bundler.uid


_EXIT_STATUSES: tuple[str, ...] = get_args(ExitStatus)


def create(ctx: Context, msg: Msg) -> Any:
    """``Msg('create', name='primary')``: open an event bundle."""
    name = msg.kwargs.get("name", msg.args[0] if msg.args else "primary")
    ctx.session.run(msg.run).create(name)
    ctx.session.rewind.bundle_opened()


def save(ctx: Context, msg: Msg) -> Any:
    """``Msg('save')``: emit the bundle as an event."""
    s = ctx.session
    saving = s.run(msg.run).save()
    if saving is not None:
        return _close_bundle_after(saving, s.rewind)
    s.rewind.bundle_closed()
    return None


async def _close_bundle_after(saving: Awaitable[None], rewind: Rewind) -> None:
    await saving
    rewind.bundle_closed()


def drop(ctx: Context, msg: Msg) -> Any:
    """``Msg('drop')``: discard the bundle."""
    ctx.session.run(msg.run).drop()
    ctx.session.rewind.bundle_closed()


async def declare_stream(ctx: Context, msg: Msg) -> Any:
    """``Msg('declare_stream', None, *objs, name=..., collect=False)``: descriptor up front."""
    objs = tuple(o for o in (msg.obj, *msg.args) if o is not None)
    name = msg.kwargs["name"]
    return await ctx.session.run(msg.run).declare_stream(
        name, objs, msg.kwargs.get("collect", False)
    )


async def monitor(ctx: Context, msg: Msg) -> Any:
    """``Msg('monitor', obj, name=None)``: an event per update of ``obj`` during the run."""
    await ctx.session.run(msg.run).monitor(msg.obj, msg.kwargs.get("name"))


def unmonitor(ctx: Context, msg: Msg) -> Any:
    """``Msg('unmonitor', obj)``: stop monitoring."""
    ctx.session.run(msg.run).unmonitor(msg.obj)

"""What the command handlers share: tracking Statuses in groups and raising why they failed.

Each handler takes the engine's ``Context`` and the message and returns the response the plan
receives; an exception it raises is thrown into the plan, which may catch it. The handlers live
in ``_commands_*`` modules, one concept each; ``_registry`` maps command names to them.
"""

from __future__ import annotations

from typing import Any

from ._awaiting import Action, describe_failure, status_error, status_future
from ._context import Context
from ._msg import Msg
from ._unwaited import UnwaitedFailures
from ._waiting import Deadline, wait_interruptibly


def track(
    ctx: Context,
    msg: Any,
    status: Any,
    action: Action,
    timeout: float | None = None,
    grace: float = 0.0,
) -> Any:
    """Add ``status`` to the message's wait group (with the engine's deadline if any).

    A status that already succeeded (an instant soft move) cannot fail unwaited, so nobody
    watches it for that: this is the hot path of a scan of soft devices.
    """
    group = msg.kwargs.get("group")
    s = ctx.session
    waited = status
    if timeout is not None:
        waited = Deadline(status, msg.obj, action, timeout, s.loop, grace)
    s.groups.setdefault(group, []).append((waited, msg.obj, action))
    if ctx.progress is not None:
        ctx.watch_progress(status, msg.obj)
    if timeout is not None or not _succeeded(status):
        s.unwaited.watch(status, msg.obj, action, s.loop)
    return status


def all_succeeded(entries: list[tuple[Any, Any, Action]]) -> bool:
    """Whether every status of a wait group already finished without error (no deadline)."""
    for status, _obj, _action in entries:
        if type(status) is Deadline or not _succeeded(status):
            return False
    return True


def _succeeded(status: Any) -> bool:
    """Whether ``status`` already finished without error: it can no longer fail unwaited.

    bluesky's Status protocol sets ``success`` only once the status is done (ophyd, ophyd-async
    and skyscope alike), so ``done`` need not be asked too.
    """
    return getattr(status, "success", False) is True


def handler_kwargs(msg: Msg, *drop: str) -> dict[str, Any]:
    """The message's keywords for the device, without the engine's own (``drop``)."""
    kwargs = msg.kwargs
    if not kwargs or (len(kwargs) == 1 and drop and next(iter(kwargs)) == drop[0]):
        return {}
    return {k: v for k, v in kwargs.items() if k not in drop}


async def wait_one(ctx: Context, status: Any, obj: Any, action: Action) -> None:
    """Wait for one status (interruptibly) and raise why it failed, if it did."""
    if not status.done:
        await wait_interruptibly(ctx.session, [status_future(status, ctx.session.loop)])
    await raise_if_failed(status, obj, action, ctx.session.unwaited)


async def raise_if_failed(
    status: Any, obj: Any, action: Action, unwaited: UnwaitedFailures | None = None
) -> None:
    """Raise why a finished status failed: its time-out (once its device stopped) or its error.

    ``unwaited`` learns it is reported, so the plan's next step does not raise it again.
    """
    if type(status) is Deadline and status.error is not None:
        if unwaited is not None:
            unwaited.reported(status.status)  # the stopped move fails later: already told
        await status.stopped()
        raise status.error
    if status_error(status) is not None:
        if unwaited is not None:  # a Deadline's device Status is the one unwaited watches
            unwaited.reported(status.status if type(status) is Deadline else status)
        raise describe_failure(status, obj, action)


def name_of(obj: Any) -> str:
    """How errors name a device: its ``name``, else its repr."""
    return str(getattr(obj, "name", None) or repr(obj))

"""One device, one driver: a plan that drives a device holds it until the plan ends.

Two engines in one process (the queue server's, a shell's) share the microscope. The first
plan to drive a device (set, trigger, stage, kickoff…) claims it; a plan of another engine that
then tries to drive that device, one of its parts, or the whole it is part of, is refused with
an error naming the device and the plan holding it, before anything moves. Reading a device in
use is allowed. Claims are released when the holding plan ends (pauses keep them).
"""

from __future__ import annotations

import dataclasses
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ._context import Context, Handler
from ._errors import EngineError
from ._handle import plan_name
from ._msg import Msg
from ._registry import Command
from ._session import Session

DRIVING = frozenset(
    {"set", "trigger", "stage", "unstage", "configure", "prepare", "kickoff", "complete"}
)
"""Commands that change what a device does; reading (read, locate, collect) and stopping
(``stop``: always allowed, for safety) take no claim."""


class DeviceInUse(EngineError):
    """A plan tried to drive a device another engine's plan holds."""


@dataclass(frozen=True, slots=True)
class Claim:
    """A device held by a plan execution."""

    device: Any
    session: Session
    plan: str
    action: str
    """The command that took the claim (``set``, ``stage``…)."""


class Claims:
    """The devices held in this process, by identity, and who holds them."""

    def __init__(self) -> None:
        self._held: dict[int, Claim] = {}
        self._by_session: weakref.WeakKeyDictionary[Session, set[int]] = weakref.WeakKeyDictionary()

    def take(self, device: Any, session: Session, action: str) -> None:
        """Claim ``device`` for ``session``, or raise DeviceInUse if another plan holds it."""
        if id(device) in session.claimed:
            return  # the usual case: this plan already holds it
        mine = self._by_session.get(session)
        conflict = self.holder(device, session)
        if conflict is not None:
            raise DeviceInUse(_refusal(device, action, conflict))
        if mine is None:
            mine = self._by_session[session] = set()
            session.done.add_done_callback(lambda _: self.release(session))
        mine.add(id(device))
        session.claimed.add(id(device))
        self._held[id(device)] = Claim(device, session, _plan_name(session), action)

    def holder(self, device: Any, session: Session | None = None) -> Claim | None:
        """The claim of another live plan on ``device``, a part of it or a whole it is in."""
        if not self._held:
            return None
        lineage = {id(d) for d in _lineage(device)}
        for claim in list(self._held.values()):
            if claim.session is session:
                continue
            if _ended(claim.session):
                self.release(claim.session)
                continue
            if id(claim.device) in lineage or any(d is device for d in _lineage(claim.device)):
                return claim
        return None

    def release(self, session: Session) -> None:
        """Let go of every device ``session`` holds."""
        session.claimed.clear()
        for key in self._by_session.pop(session, set()):
            claim = self._held.get(key)
            if claim is not None and claim.session is session:
                del self._held[key]

    def held(self) -> Mapping[str, str]:
        """Device name -> the plan holding it (a snapshot, for display)."""
        return {_name(c.device): c.plan for c in self._held.values() if not _ended(c.session)}


CLAIMS = Claims()
"""The process's claims: every engine checks and takes them here."""


def claiming(commands: Mapping[str, Command]) -> dict[str, Command]:
    """``commands`` with each driving command's handler checking and taking the claim first."""
    return {
        name: dataclasses.replace(command, handler=_claim_then(command.handler, name))
        if name in DRIVING
        else command
        for name, command in commands.items()
    }


def _claim_then(handler: Handler, action: str) -> Handler:
    def claim_then_handle(ctx: Context, msg: Msg) -> Any:
        obj = msg.obj
        if obj is not None:
            session = ctx.session
            if id(obj) not in session.claimed:  # held already: the usual case, no call
                CLAIMS.take(obj, session, action)
        return handler(ctx, msg)

    return claim_then_handle


def _ended(session: Session) -> bool:
    """The plan ended (its done-callback may not have run yet), or its loop is gone."""
    return session.done.done() or session.loop.is_closed()


def _lineage(device: Any) -> Iterator[Any]:
    """``device``, its parent, its parent's parent… (ophyd-async and skyscope devices)."""
    seen: set[int] = set()
    while device is not None and id(device) not in seen:
        seen.add(id(device))
        yield device
        device = getattr(device, "parent", None)


def _plan_name(session: Session) -> str:
    return plan_name(session.driver.outermost)


def _name(device: Any) -> str:
    return str(getattr(device, "name", "") or repr(device))


def _refusal(device: Any, action: str, claim: Claim) -> str:
    held = _name(claim.device)
    which = "" if claim.device is device else f" (part of or containing {held})"
    return (
        f"cannot {action} {_name(device)}{which}: plan {claim.plan!r} on another engine is "
        f"using it ({claim.action} {held}); wait for that plan to end or stop it. Reading "
        "the device is allowed."
    )

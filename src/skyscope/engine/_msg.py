"""The message a plan yields to the engine, in bluesky's shape so bluesky's plans run unchanged."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol, TypeAlias


class _MsgFields(NamedTuple):
    command: str
    obj: Any
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    run: Any


class Msg(_MsgFields):
    """One instruction: ``Msg(command, obj=None, *args, run=None, **kwargs)``.

    Field for field the same named tuple as ``bluesky.utils.Msg``; the engine accepts either.
    """

    __slots__ = ()

    def __new__(
        cls, command: str, obj: Any = None, *args: Any, run: Any = None, **kwargs: Any
    ) -> Msg:
        return tuple.__new__(cls, (command, obj, args, kwargs, run))

    def __repr__(self) -> str:
        return (
            f"Msg({self.command!r}, obj={self.obj!r}, args={self.args}, "
            f"kwargs={self.kwargs}, run={self.run!r})"
        )


_new_tuple = tuple.__new__


def make_msg(command: str, obj: Any = None, *args: Any, run: Any = None, **kwargs: Any) -> Msg:
    """The same ``Msg`` as ``Msg(command, obj, *args, run=run, **kwargs)``, in half the time.

    Calling a class whose ``__new__`` is Python code costs about 1.3 µs; this about 0.6. The
    standard plans make every message of their per-point loops with it.
    """
    return _new_tuple(Msg, (command, obj, args, kwargs, run))


class MsgLike(Protocol):
    """Anything with a message's five fields (skyscope's ``Msg`` or bluesky's)."""

    @property
    def command(self) -> str: ...
    @property
    def obj(self) -> Any: ...
    @property
    def args(self) -> tuple[Any, ...]: ...
    @property
    def kwargs(self) -> dict[str, Any]: ...
    @property
    def run(self) -> Any: ...


class Return:
    """Yielded by an async plan to end itself with a value (async generators cannot ``return``).

    ``result = yield subplan()`` in the parent receives ``value``. A plain slotted class, not a
    frozen dataclass: plans make one per point, and a frozen dataclass costs twice as much.
    """

    __slots__ = ("value",)

    def __init__(self, value: Any = None) -> None:
        """Carry ``value`` back to the parent plan."""
        self.value = value

    def __repr__(self) -> str:
        return f"Return(value={self.value!r})"

    def __eq__(self, other: object) -> bool:
        return type(other) is Return and other.value == self.value

    def __hash__(self) -> int:
        return hash((Return, self.value))


@dataclass(frozen=True, slots=True)
class Parallel:
    """Yielded by a plan to run sub-plans concurrently; the response is the list of results.

    Structured: if one sub-plan fails, the others are cancelled and the error is thrown into
    the parent; none outlives the yield.
    """

    plans: tuple[Any, ...]

    def __init__(self, *plans: Any) -> None:
        object.__setattr__(self, "plans", plans)


AsyncPlan: TypeAlias = AsyncGenerator[Any, Any]
SyncPlan: TypeAlias = Generator[Any, Any, Any]
Plan: TypeAlias = AsyncPlan | SyncPlan
"""A plan: an async generator or a plain (bluesky-style) generator yielding messages."""

"""Drive a stack of plans: async or plain generators, nested by yielding one plan from another.

The driver only moves generators; it knows no commands. It hands the engine the next thing a
plan yields that is not itself a plan (a message, a ``Parallel``), and routes responses and
exceptions to the innermost running plan, exactly as ``yield from`` would for plain generators.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from types import AsyncGeneratorType, GeneratorType
from typing import Any, TypeGuard

from ._msg import Msg, Plan, Return

AWAIT = object()
"""What ``advance_now`` returns when an async plan is innermost: ``await advance(...)`` it."""


@dataclass(frozen=True, slots=True)
class Finished:
    """The outermost plan ended; ``value`` is what it returned."""

    value: Any


def is_plan(obj: object) -> bool:
    """Tell whether ``obj`` is a running plan: a generator, an async generator, or alike.

    "Alike" covers bluesky's ``@plan``-decorated plans, iterators with ``send``/``throw``.
    """
    kind = type(obj)
    if kind is GeneratorType or kind is AsyncGeneratorType:
        return True
    return _is_async_like(obj) or (hasattr(obj, "send") and hasattr(obj, "throw"))


def _is_async_like(obj: object) -> TypeGuard[AsyncGenerator[Any, Any]]:
    return type(obj) is AsyncGeneratorType or (hasattr(obj, "asend") and hasattr(obj, "athrow"))


def check_plan(obj: object) -> Plan:
    """Return ``obj`` if it is a plan, else raise a TypeError that says what was given instead."""
    if is_plan(obj):
        return obj  # type: ignore[return-value]
    if inspect.isgeneratorfunction(obj) or inspect.isasyncgenfunction(obj):
        name = getattr(obj, "__name__", repr(obj))
        raise TypeError(f"{name} is a plan function, not a plan: call it, e.g. {name}(...)")
    if inspect.iscoroutine(obj):
        obj.close()
        raise TypeError(
            "got a coroutine, not a plan: a plan is an async *generator* (it must `yield` "
            "messages); await plain coroutines inside a plan instead"
        )
    raise TypeError(f"expected a plan (a generator of messages), got {type(obj).__name__}")


class PlanDriver:
    """Step a plan and the sub-plans it yields, innermost first."""

    __slots__ = ("_stack", "pending")

    def __init__(self, plan: object) -> None:
        self._stack: list[Plan] = [check_plan(plan)]
        self.pending: tuple[Any, BaseException | None] = (None, None)
        """What ``advance`` sends on to the async plan after ``advance_now`` gave ``AWAIT``."""

    @property
    def outermost(self) -> Plan | None:
        """The plan the driver was given (None once it has finished)."""
        return self._stack[0] if self._stack else None

    @property
    def depth(self) -> int:
        """How many plans are nested right now (0 once the outermost has finished)."""
        return len(self._stack)

    async def send(self, value: Any) -> Any:
        """Send ``value`` as the response to the last item; return the next item or Finished."""
        return await self.advance(value, None)

    async def throw(self, exc: BaseException) -> Any:
        """Raise ``exc`` inside the innermost plan; return its next item or Finished."""
        return await self.advance(None, exc)

    async def close(self) -> list[Plan]:
        """Close every plan without letting it run cleanup messages (halt).

        Return the plans that tried to yield cleanup while closed (what a halt skips).
        """
        refused: list[Plan] = []
        while self._stack:
            gen = self._stack.pop()
            try:
                await _close(gen)
            except RuntimeError:
                refused.append(gen)
        return refused

    def advance_now(self, value: Any, exc: BaseException | None) -> Any:
        """Send ``value`` (or throw ``exc``); return the next item or Finished, synchronously.

        Plain generators are stepped here with no coroutine made: the per-point steps of the
        standard plans are plain generators. When an async plan is innermost this returns
        ``AWAIT`` and leaves the value to send in ``pending``, for ``advance`` to carry on.
        """
        stack = self._stack
        while True:
            gen = stack[-1]
            if type(gen) is not GeneratorType and _is_async_like(gen):
                self.pending = (value, exc)
                return AWAIT
            try:
                item = gen.throw(exc) if exc is not None else gen.send(value)  # type: ignore[union-attr]
            except StopIteration as stop:
                value, exc = stop.value, None
            except BaseException as error:
                value, exc = None, self._dropped(error)
                continue
            else:
                kind = type(item)
                if kind is Msg:
                    return item
                if kind is GeneratorType or kind is AsyncGeneratorType or _yields_plan(item):
                    stack.append(item)
                    value, exc = None, None
                    continue
                if kind is not Return:
                    return item
                gen.close()  # type: ignore[union-attr]
                value, exc = item.value, None
            stack.pop()
            if not stack:
                return Finished(value)

    def _dropped(self, error: BaseException) -> BaseException:
        """The innermost plan raised ``error``: drop it; its parent gets the error next.

        Raised from here when the outermost plan is the one that raised.
        """
        self._stack.pop()
        if not self._stack:
            raise error
        return error

    async def advance(self, value: Any, exc: BaseException | None) -> Any:
        """Send ``value`` (or throw ``exc``); return the next item or Finished."""
        stack = self._stack
        while (item := self.advance_now(value, exc)) is AWAIT:
            (value, exc), gen = self.pending, stack[-1]
            try:
                item = await (gen.athrow(exc) if exc is not None else gen.asend(value))  # type: ignore[union-attr]
            except StopAsyncIteration:
                item = Return(None)
            except BaseException as error:
                value, exc = None, self._dropped(error)
                continue
            if type(item) is Return:
                await gen.aclose()  # type: ignore[union-attr]
                stack.pop()
                if not stack:
                    return Finished(item.value)
                value, exc = item.value, None
            elif type(item) is Msg or not (type(item) is AsyncGeneratorType or _yields_plan(item)):
                return item
            else:
                stack.append(item)
                value, exc = None, None
        return item


def _yields_plan(item: Any) -> bool:
    return not hasattr(item, "command") and type(item) is not Return and is_plan(item)


async def _close(gen: Plan) -> None:
    if _is_async_like(gen):
        await gen.aclose()
    else:
        gen.close()  # type: ignore[union-attr]

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

    __slots__ = ("_stack",)

    def __init__(self, plan: object) -> None:
        self._stack: list[Plan] = [check_plan(plan)]

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

    async def advance(self, value: Any, exc: BaseException | None) -> Any:
        """Send ``value`` (or throw ``exc`` if given); return the next item or Finished."""
        stack = self._stack
        while True:
            gen = stack[-1]
            try:
                if type(gen) is AsyncGeneratorType or _is_async_like(gen):
                    item = await (gen.athrow(exc) if exc is not None else gen.asend(value))
                else:
                    item = gen.throw(exc) if exc is not None else gen.send(value)  # type: ignore[union-attr]
            except (StopIteration, StopAsyncIteration) as stop:
                value, exc = getattr(stop, "value", None), None
            except BaseException as error:
                stack.pop()
                if not stack:
                    raise
                value, exc = None, error
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
                await _close(gen)
                value, exc = item.value, None
            stack.pop()
            if not stack:
                return Finished(value)


def _yields_plan(item: Any) -> bool:
    return not hasattr(item, "command") and type(item) is not Return and is_plan(item)


async def _close(gen: Plan) -> None:
    if _is_async_like(gen):
        await gen.aclose()
    else:
        gen.close()  # type: ignore[union-attr]

"""Waiting on groups as bluesky plans do: the first failure ends a wait, watched groups, moving on.

Also a timed-out wait a plan catches and repeats, devices staged together through a group, and
the ``waiting_hook`` told what each wait waits for.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

import pytest

from skyscope.devices import Status
from skyscope.engine import Engine, FailedStatus, Msg, WaitForTimeoutError


class Gate:
    """A device whose operations finish (or fail) when the test says so, and cannot be stopped.

    A real device with skyscope Statuses; each operation waits on an event the test sets.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.parent = None
        self.opened = asyncio.Event()
        self.started: list[str] = []
        self.error: Exception | None = None

    def set(self, value: Any) -> Status[None]:
        return self._start(f"set({value!r})")

    def stage(self) -> Status[None]:
        return self._start("stage()")

    def unstage(self) -> list[Any]:
        return []

    def open(self, error: Exception | None = None) -> None:
        self.error = error
        self.opened.set()

    def _start(self, action: str) -> Status[None]:
        self.started.append(action)
        return Status(self._pass(), name=self.name, action=action)

    async def _pass(self) -> None:
        await self.opened.wait()
        if self.error is not None:
            raise self.error


@pytest.mark.parametrize(
    ("group", "wait_options", "fault"),
    [
        ("g", {}, "motor fault"),  # a Status of the group waited on
        ("w", {"watch": ("w",)}, "interlock tripped"),  # a Status of a group the wait watches
    ],
    ids=["in-the-group", "in-a-watched-group"],
)
async def test_the_first_failure_ends_a_group_wait(
    engine: Engine, group: str, wait_options: dict[str, Any], fault: str
) -> None:
    slow, failing = Gate("slow"), Gate("failing")

    async def plan() -> AsyncGenerator[Any, Any]:
        yield Msg("set", slow, 1, group="g")
        yield Msg("set", failing, 1, group=group)
        failing.open(RuntimeError(fault))
        yield Msg("wait", None, group="g", timeout=30, **wait_options)  # slow never finishes

    with pytest.raises(FailedStatus, match=fault):
        await engine(plan())
    slow.open()  # let its move end with the test


async def test_moving_on_returns_false_and_keeps_the_group(engine: Engine) -> None:
    gate = Gate("gate")
    answers: list[Any] = []

    async def plan() -> AsyncGenerator[Any, Any]:
        yield Msg("set", gate, 1, group="g")
        answers.append((yield Msg("wait", None, group="g", timeout=0.01, error_on_timeout=False)))
        gate.open()
        answers.append((yield Msg("wait", None, group="g")))
        answers.append((yield Msg("wait", None, group="g")))  # nothing left: done at once

    await engine(plan())
    assert answers == [False, True, True]


async def test_a_timed_out_wait_can_be_caught_and_repeated(engine: Engine) -> None:
    gate = Gate("gate")
    caught: list[str] = []

    async def plan() -> AsyncGenerator[Any, Any]:
        yield Msg("set", gate, 1, group="g")
        for _ in range(2):
            try:
                yield Msg("wait", None, group="g", timeout=0.01)
            except WaitForTimeoutError as error:
                caught.append(str(error))
        gate.open()
        yield Msg("wait", None, group="g")

    await engine(plan())
    assert len(caught) == 2
    assert caught[0].startswith("Plan failed to complete in the specified time")  # bluesky's
    assert "set(1) of 'gate'" in caught[0]


async def test_staging_with_a_group_starts_every_device_before_waiting(engine: Engine) -> None:
    first, second = Gate("first"), Gate("second")
    seen: list[tuple[bool, bool]] = []

    async def plan() -> AsyncGenerator[Any, Any]:
        one = yield Msg("stage", first, group="staging")
        two = yield Msg("stage", second, group="staging")
        seen.append((one.done, two.done))
        first.open()
        second.open()
        yield Msg("wait", None, group="staging")
        seen.append((one.done, two.done))

    await engine(plan())
    assert first.started == ["stage()"]
    assert second.started == ["stage()"]
    assert seen == [(False, False), (True, True)]


async def test_the_waiting_hook_hears_each_wait_start_and_end(engine: Engine) -> None:
    gates = [Gate("a"), Gate("b")]
    heard: list[Any] = []
    engine.waiting_hook = heard.append

    async def plan() -> AsyncGenerator[Any, Any]:
        statuses = []
        for gate in gates:
            statuses.append((yield Msg("set", gate, 1, group="g")))
            gate.open()
        yield Msg("wait", None, group="g")
        assert heard == [set(statuses), None]

    await engine(plan())
    assert len(heard) == 2

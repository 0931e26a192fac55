"""The ``input`` command: a plan asks the operator, the loop keeps running while they answer."""

from __future__ import annotations

import io
import sys
from collections.abc import AsyncGenerator
from typing import Any

import pytest

from skyscope.engine import Engine, Msg


async def test_a_plan_gets_the_line_the_operator_types(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("42 um\n"))
    answers: list[Any] = []

    async def plan() -> AsyncGenerator[Any, Any]:
        answers.append((yield Msg("input", None, prompt="z offset? ")))

    await engine(plan())
    assert answers == ["42 um"]
    assert capsys.readouterr().out == "z offset? "


async def test_closed_standard_input_fails_the_plan_saying_so(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))

    async def plan() -> AsyncGenerator[Any, Any]:
        yield Msg("input", None)

    with pytest.raises(EOFError, match="standard input is closed"):
        await engine(plan())

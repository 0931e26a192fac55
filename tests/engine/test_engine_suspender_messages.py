"""``Msg('install_suspender')`` installs for good, as in bluesky: the plan ending leaves it
installed (bluesky's ``suspend_wrapper`` removes its suspender explicitly)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from skyscope.devices import soft_signal_rw
from skyscope.engine import Engine, Msg, SuspendBoolHigh


async def _suspender() -> SuspendBoolHigh:
    beam_down = soft_signal_rw(bool, False, name="beam_down")
    await beam_down.connect()
    return SuspendBoolHigh(beam_down)


async def test_a_suspender_installed_by_a_plan_stays_after_it(engine: Engine) -> None:
    suspender = await _suspender()

    async def install() -> AsyncGenerator[Any, Any]:
        yield Msg("install_suspender", None, suspender)

    result = await engine(install())
    assert result.exit_status == "success"
    assert suspender in engine.suspenders
    engine.remove_suspender(suspender)


async def test_a_plan_can_remove_what_it_installed(engine: Engine) -> None:
    suspender = await _suspender()

    async def install_then_remove() -> AsyncGenerator[Any, Any]:
        yield Msg("install_suspender", None, suspender)
        yield Msg("remove_suspender", None, suspender)

    await engine(install_then_remove())
    assert suspender not in engine.suspenders

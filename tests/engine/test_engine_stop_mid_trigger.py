"""Stopping a plan mid-trigger ends it cleanly: the trigger settles before the plan unstages.

The live view's "Stop" sometimes ended its item with ``trigger() failed: … stage() it first``:
the plan's own ``unstage`` (its ``stage_wrapper`` cleanup) ran while the trigger it had been
waiting for was still exposing, the camera failed that trigger, and the failure was thrown into
the plan's cleanup as the run's error. Here the camera fails a running trigger on ``unstage``
every time, so the race is certain rather than 2 in 15.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

import pytest

from _closing_camera import ClosingCamera
from skyscope.engine import Engine, Msg
from skyscope.plans import stage_wrapper


def live(camera: ClosingCamera) -> AsyncGenerator[Any, Any]:
    """The live view's shape: trigger and wait, forever, the camera staged around it."""

    async def loop() -> AsyncGenerator[Any, Any]:
        while True:
            yield Msg("checkpoint")
            yield Msg("trigger", camera, group="live")
            yield Msg("wait", group="live")

    return stage_wrapper(loop(), [camera])


async def _stopped_mid_trigger(how: str) -> tuple[Any, ClosingCamera]:
    """Run the live loop, and ``how`` ("stop", "abort", "pause+stop") while it waits."""
    camera = ClosingCamera()
    engine = Engine({}, handle_sigint=False)
    waiting = asyncio.Event()
    engine.msg_hook = lambda msg: waiting.set() if msg.command == "wait" else None
    handle = engine.start(live(camera))
    await waiting.wait()  # the engine is in the wait: the hook ran in the same step
    if how == "abort":
        return await engine.abort("enough"), camera
    if how == "pause+stop":  # what the web page's "Stop live view" does
        engine.request_pause()
        assert (await handle).paused
    return await engine.stop(), camera


@pytest.mark.parametrize("how", ["stop", "pause+stop"])
async def test_a_stop_lets_the_trigger_finish_before_the_plan_unstages(how: str) -> None:
    result, camera = await _stopped_mid_trigger(how)
    assert (result.exit_status, result.reason, result.exception) == ("success", "", None)
    assert camera.log == ["trigger done", "unstage"]


async def test_an_abort_cancels_the_trigger_before_the_plan_unstages() -> None:
    result, camera = await _stopped_mid_trigger("abort")
    assert (result.exit_status, result.reason, result.exception) == ("abort", "enough", None)
    assert camera.log == ["trigger cancelled", "unstage"]

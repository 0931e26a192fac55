"""A pause the engine cannot rewind: inside ``rewindable(False)``, or after a device's
``pause()`` said ``NoReplayAllowed``, a resume goes on from where the plan paused."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from skyscope.devices import SoftDetector
from skyscope.engine import Engine, EngineState, Msg, NoReplayAllowed
from skyscope.plans import checkpoint


class _Hook:
    """Records the commands the engine executes (its msg_hook)."""

    def __init__(self) -> None:
        self.commands: list[str] = []

    def __call__(self, msg: Msg) -> None:
        self.commands.append(msg.command)


async def test_a_non_rewindable_pause_resumes_without_replay(engine: Engine, recorder, det) -> None:
    hook = _Hook()
    engine.msg_hook = hook

    async def plan() -> AsyncGenerator[Any, Any]:
        yield Msg("open_run")
        yield Msg("declare_stream", None, det, name="primary")
        yield checkpoint()
        yield Msg("rewindable", None, False)
        yield Msg("create", name="primary")
        yield Msg("read", det)
        yield Msg("pause")  # inside an open event: resume must complete this very event
        yield Msg("save")
        yield Msg("close_run")

    paused = await engine(plan())
    assert paused.paused
    done = await engine.resume()
    assert done.exit_status == "success"
    assert hook.commands.count("create") == hook.commands.count("read") == 1
    assert [e["seq_num"] for e in recorder.of("event")] == [1]


class _OneShotDetector(SoftDetector):
    """A detector whose exposure cannot be repeated: its pause() forbids a replay."""

    paused = 0

    def pause(self) -> None:
        self.paused += 1
        raise NoReplayAllowed("the sample is bleached")

    def resume(self) -> None:
        pass


async def test_a_device_refusing_replay_makes_the_resume_go_on(engine: Engine, motor) -> None:
    det = _OneShotDetector("one_shot", compute=lambda x: x, inputs=[motor.readback])
    await det.connect()
    hook = _Hook()
    engine.msg_hook = hook

    async def plan() -> AsyncGenerator[Any, Any]:
        yield checkpoint()
        yield Msg("trigger", det)
        yield Msg("pause")
        yield Msg("null")

    paused = await engine(plan())
    assert paused.paused
    assert det.paused == 1
    await engine.resume()
    assert hook.commands == ["checkpoint", "trigger", "pause", "null"]  # no second trigger


async def test_a_deferred_pause_never_reached_still_shows_until_the_next_plan(
    engine: Engine,
) -> None:
    async def plan() -> AsyncGenerator[Any, Any]:
        engine.request_pause(defer=True)
        yield Msg("null")

    assert not engine.deferred_pause_requested
    result = await engine(plan())
    assert result.exit_status == "success"
    assert engine.state is EngineState.IDLE
    assert engine.deferred_pause_requested  # asked, and the plan ended before a checkpoint

    async def other() -> AsyncGenerator[Any, Any]:
        assert not engine.deferred_pause_requested  # a new plan starts without it
        yield Msg("null")

    await engine(other())

"""One registry: a registered command is declared like a built-in one and obeys the same rules."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import pytest

from skyscope.engine import COMMANDS, Command, Context, Engine, InvalidReading, Msg


def test_every_built_in_command_declares_a_handler_a_replay_rule_and_a_dry_run() -> None:
    never_replayed = {name for name, command in COMMANDS.items() if not command.replay}
    assert never_replayed == {
        "pause", "subscribe", "unsubscribe", "stage", "unstage", "monitor", "unmonitor",
        "open_run", "close_run", "install_suspender", "remove_suspender",
    }  # fmt: skip
    for name, command in COMMANDS.items():
        assert command.dry_run.__name__ != "dry_unknown", name


async def test_a_handler_of_ctx_and_msg_gets_the_engines_context(engine: Engine) -> None:
    def run_count(ctx: Context, msg: Msg) -> Any:
        return len(ctx.session.run_uids)

    engine.register_command("runs_so_far", run_count)
    seen: list[int] = []

    async def plan() -> AsyncGenerator[Any, Any]:
        seen.append((yield Msg("runs_so_far")))
        yield Msg("open_run")
        seen.append((yield Msg("runs_so_far")))
        yield Msg("close_run")

    await engine(plan())
    assert seen == [0, 1]


@pytest.mark.parametrize(("replay", "calls"), [(True, 2), (False, 1)])
async def test_a_registered_command_replays_on_rewind_as_it_declares(
    engine: Engine, replay: bool, calls: int
) -> None:
    called: list[str] = []

    async def ping(msg: Msg) -> None:
        called.append("ping")

    engine.register_command("ping", ping, replay=replay)

    async def plan() -> AsyncGenerator[Any, Any]:
        yield Msg("checkpoint")
        yield Msg("ping")
        yield Msg("pause")
        yield Msg("null")

    result = await engine(plan())
    assert result.paused
    result = await engine.resume()
    assert result.exit_status == "success"
    assert len(called) == calls


async def test_a_command_declaration_can_be_registered_whole(engine: Engine) -> None:
    def real(ctx: Context, msg: Msg) -> str:
        return "real"

    def simulated(ctx: Context, msg: Msg) -> str:
        return "simulated"

    engine.register_command("probe", Command(real, replay=False, dry_run=simulated))
    answers: list[str] = []

    async def plan() -> AsyncGenerator[Any, Any]:
        answers.append((yield Msg("probe")))

    await engine(plan())
    await engine.dry_run(plan())
    assert answers == ["real", "simulated"]


def test_a_plain_function_of_one_argument_is_refused(engine: Engine) -> None:
    with pytest.raises(TypeError, match="async function of \\(msg\\)"):
        engine.register_command("bad", lambda msg: None)


async def test_an_object_that_cannot_both_stage_and_unstage_is_left_alone(engine: Engine) -> None:
    calls: list[str] = []

    class StageOnly:
        def stage(self) -> None:
            calls.append("stage")

    class UnstageOnly:
        def unstage(self) -> None:
            calls.append("unstage")

    def plan() -> Any:
        for obj in (StageOnly(), UnstageOnly()):
            yield Msg("stage", obj)
            yield Msg("unstage", obj)

    assert (await engine(plan())).exit_status == "success"
    assert calls == []  # staged, it could never have been unstaged (bluesky's Stageable rule)


async def test_a_read_that_returns_none_names_the_device(engine: Engine) -> None:
    class Broken:
        name = "broken_cam"

        def read(self) -> None:
            return None

        def describe(self) -> dict[str, Any]:
            return {}

    def plan() -> Any:
        yield Msg("read", Broken())

    with pytest.raises(InvalidReading, match="read of broken_cam returned None"):
        await engine(plan())

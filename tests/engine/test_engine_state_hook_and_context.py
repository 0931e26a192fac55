"""``engine.state_hook`` hears every change of state; ``engine.context_managers`` wrap each
stretch of a run (bluesky's ``RE.state_hook`` and ``RE.context_managers``)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

from skyscope.engine import Engine, EngineState, Msg, sigint_while_running


def _pausing_run() -> Any:
    yield Msg("open_run")
    yield Msg("pause")
    yield Msg("close_run")


def _one_run() -> Any:
    yield Msg("open_run")
    yield Msg("close_run")


async def test_the_state_hook_hears_each_change_in_order(engine: Engine) -> None:
    heard: list[tuple[str, str]] = []
    engine.state_hook = lambda new, old: heard.append((new, old))
    assert (await engine(_pausing_run())).paused
    await engine.resume()
    assert heard == [
        ("running", "idle"),
        ("pausing", "running"),
        ("paused", "pausing"),
        ("running", "paused"),
        ("idle", "running"),
    ]
    assert all(isinstance(new, EngineState) for new, _ in heard)


async def test_a_broken_state_hook_is_logged_and_the_run_goes_on(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(new: str, old: str) -> None:
        raise RuntimeError("the status bar is gone")

    engine.state_hook = broken
    result = await engine(_one_run())
    assert result.exit_status == "success"
    assert "the status bar is gone" in caplog.text


async def test_context_managers_wrap_each_stretch_of_a_run(engine: Engine) -> None:
    events: list[str] = []

    @contextlib.contextmanager
    def noted(engine: Engine) -> Iterator[None]:
        events.append(f"enter {engine.state}")
        yield
        events.append(f"exit {engine.state}")

    engine.context_managers = [noted, noted]
    assert (await engine(_pausing_run())).paused
    await engine.resume()
    assert (
        events
        == ["enter running"] * 2 + ["exit paused"] * 2 + ["enter running"] * 2 + ["exit idle"] * 2
    )


async def test_a_context_manager_that_refuses_to_enter_leaves_the_engine_idle(
    engine: Engine,
) -> None:
    @contextlib.contextmanager
    def refuses(engine: Engine) -> Iterator[None]:
        raise PermissionError("the shutter interlock is open")
        yield

    engine.context_managers = [refuses]
    with pytest.raises(PermissionError, match="interlock"):
        await engine(_one_run())
    assert engine.state is EngineState.IDLE
    assert engine.last_result is not None
    assert engine.last_result.exit_status == "fail"


def test_ctrl_c_is_taken_by_default_and_not_without_it() -> None:
    assert Engine({}).context_managers == [sigint_while_running]
    assert Engine({}, handle_sigint=False).context_managers == []

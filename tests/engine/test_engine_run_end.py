"""How a run's end is reported: what the plan returned, and the tokens plans unsubscribe by."""

from __future__ import annotations

from typing import Any

import pytest

from skyscope.engine import NO_PLAN_RETURN, Engine, Msg
from skyscope.plans import count


def _returns(value: Any) -> Any:
    def plan() -> Any:
        yield Msg("null")
        return value

    return plan()


def _pauses() -> Any:
    yield Msg("open_run")
    yield Msg("pause")
    yield Msg("close_run")


async def test_a_plan_returning_none_is_told_from_one_that_never_returned(engine: Engine) -> None:
    assert (await engine(_returns(None))).plan_result is None
    assert (await engine(_returns(7))).plan_result == 7
    assert (await engine(_pauses())).paused
    stopped = await engine.stop()
    assert stopped.exit_status == "success"
    assert stopped.plan_result is NO_PLAN_RETURN
    assert engine.NO_PLAN_RETURN is NO_PLAN_RETURN
    assert repr(NO_PLAN_RETURN) == "NO_PLAN_RETURN"


async def test_a_failed_or_halted_plan_has_no_return(engine: Engine) -> None:
    def fails() -> Any:
        yield Msg("null")
        raise ValueError("womp womp")

    engine.raise_on_fail = False
    failed = await engine(fails())
    assert (failed.exit_status, failed.plan_result) == ("fail", NO_PLAN_RETURN)
    assert (await engine(_pauses())).paused
    assert (await engine.halt()).plan_result is NO_PLAN_RETURN


async def test_tokens_count_from_zero_as_a_plan_unsubscribing_by_number_expects() -> None:
    engine = Engine({}, handle_sigint=False)
    first = engine.subscribe(lambda name, doc: None)
    second = engine.subscribe(lambda name, doc: None)
    assert (first, second) == (0, 1)
    engine.unsubscribe(0)
    assert engine.subscribe(lambda name, doc: None) == 2


class _DiskFull(Exception):
    """A writer's own error, which its user catches by type."""


async def test_a_critical_subscriber_fails_the_run_with_its_own_exception(det: Any) -> None:
    engine = Engine({}, handle_sigint=False)

    def writer(name: str, doc: Any) -> None:
        if name == "descriptor":
            raise _DiskFull("no space left")

    engine.subscribe(writer, critical=True)
    with pytest.raises(_DiskFull, match="no space left") as raised:
        await engine(count([det], 3))
    assert any("critical subscriber" in note for note in raised.value.__notes__)
    assert engine.last_result is not None
    assert engine.last_result.exit_status == "fail"


async def test_a_critical_subscriber_failing_on_the_stop_document_still_fails_the_run() -> None:
    engine = Engine({}, handle_sigint=False, raise_on_fail=False)

    def writer(name: str, doc: Any) -> None:
        if name == "stop":
            raise _DiskFull("could not commit")

    engine.subscribe(writer, critical=True)
    result = await engine(_returns(None))
    assert (result.exit_status, type(result.exception)) == ("success", type(None))  # no run
    result = await engine(_one_run())
    assert result.exit_status == "fail"
    assert isinstance(result.exception, _DiskFull)
    assert "could not commit" in result.reason


def _one_run() -> Any:
    yield Msg("open_run")
    yield Msg("close_run")

"""Status: awaitable, bluesky's Status interface, failures that name device and reason."""

from __future__ import annotations

import asyncio

import pytest

from skyscope.devices import (
    Status,
    StatusCancelledError,
    StatusFailedError,
    StatusTimeoutError,
)


async def _value_after(delay: float, value: int) -> int:
    await asyncio.sleep(delay)
    return value


async def _fail_after(delay: float, error: Exception) -> None:
    await asyncio.sleep(delay)
    raise error


async def test_success_returns_the_result_and_reports_done() -> None:
    status = Status(_value_after(0.01, 42), name="det", action="trigger()")
    assert not status.done
    assert not status.success
    assert status.exception() is None
    assert await status == 42
    assert status.done
    assert status.success
    assert status.exception() is None
    assert status.result() == 42
    assert repr(status) == "<Status det trigger(): done>"


async def test_failure_names_device_action_and_reason() -> None:
    status = Status(
        _fail_after(0, OSError("cable unplugged")), name="scope-stage-x", action="set(5)"
    )
    with pytest.raises(StatusFailedError) as caught:
        await status
    error = caught.value
    assert str(error) == "scope-stage-x: set(5) failed: OSError: cable unplugged"
    assert (error.device, error.action) == ("scope-stage-x", "set(5)")
    assert isinstance(error.__cause__, OSError)
    assert status.done
    assert not status.success
    assert status.exception() is error
    assert "failed: OSError: cable unplugged" in repr(status)


async def test_inner_status_failure_passes_through_naming_the_culprit() -> None:
    inner = Status(
        _fail_after(0, ValueError("bad")), name="scope-stage-x-setpoint", action="set(1)"
    )
    outer = Status(inner, name="scope-stage-x", action="set(1)")
    with pytest.raises(StatusFailedError, match=r"^scope-stage-x-setpoint: set\(1\) failed"):
        await outer


async def test_timeout_gives_up_with_a_timeout_error_naming_the_device() -> None:
    status = Status(_value_after(10, 1), name="slow-motor", action="set(3)", timeout=0.05)
    with pytest.raises(StatusTimeoutError) as caught:
        await status
    assert isinstance(caught.value, TimeoutError)
    assert str(caught.value) == (
        "slow-motor: set(3) failed: timed out after 0.05 s; we have given up"
    )
    assert not status.success


async def test_callback_added_before_done_runs_once_when_done() -> None:
    seen: list[tuple[bool, bool]] = []
    status = Status(_value_after(0.01, 1), name="det")
    status.add_callback(lambda s: seen.append((s.done, s.success)))
    assert seen == []
    await status
    assert seen == [(True, True)]


async def test_callback_added_after_done_runs_at_once() -> None:
    status = Status(_value_after(0, 1), name="det")
    await status
    seen: list[Status[int]] = []
    status.add_callback(seen.append)
    assert seen == [status]


async def test_callback_sees_the_failure() -> None:
    status = Status(_fail_after(0, RuntimeError("boom")), name="det", action="trigger()")
    errors: list[BaseException | None] = []
    status.add_callback(lambda s: errors.append(s.exception()))
    with pytest.raises(StatusFailedError):
        await status
    assert len(errors) == 1
    assert "det: trigger() failed: RuntimeError: boom" in str(errors[0])


async def test_cancel_ends_failed_with_the_reason() -> None:
    status = Status(_value_after(10, 1), name="scope-stage-x", action="set(5)")
    await asyncio.sleep(0)
    assert status.cancel("aborted by the user")
    with pytest.raises(StatusCancelledError, match="scope-stage-x: set\\(5\\) failed: aborted by"):
        await status
    assert status.done
    assert not status.success
    assert not status.cancel("again")


async def test_cancelled_before_it_started_is_a_failure_not_a_warning() -> None:
    status = Status(_value_after(10, 1), name="m", action="set(1)")
    status.cancel("aborted")
    with pytest.raises(StatusCancelledError, match="aborted"):
        await status
    assert isinstance(status.exception(), StatusCancelledError)


async def test_cancelling_the_waiter_leaves_the_operation_running() -> None:
    status = Status(_value_after(0.05, 7), name="m")
    waiter = asyncio.create_task(_await(status))
    await asyncio.sleep(0.01)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert not status.done
    assert await status == 7


async def _await(status: Status[int]) -> int:
    return await status


async def test_finished_statuses_need_no_task() -> None:
    tasks_before = len(asyncio.all_tasks())
    ok = Status.succeeded(3, name="det", action="trigger()")
    bad = Status.failed(ValueError("no"), name="det", action="trigger()")
    assert len(asyncio.all_tasks()) == tasks_before
    assert ok.done
    assert ok.success
    assert await ok == 3
    assert bad.done
    assert not bad.success
    assert str(bad.exception()) == "det: trigger() failed: ValueError: no"
    with pytest.raises(StatusFailedError):
        await bad


async def test_wrap_makes_an_async_method_return_a_status() -> None:
    class Shutter:
        name = "shutter"

        @Status.wrap
        async def open_for(self, seconds: float) -> str:
            await asyncio.sleep(seconds)
            return "closed again"

    status = Shutter().open_for(0.01)
    assert isinstance(status, Status)
    assert status.name == "shutter"
    assert status.action == "open_for(0.01)"
    assert await status == "closed again"


async def test_exception_cannot_block() -> None:
    status = Status.succeeded(None)
    with pytest.raises(ValueError, match="cannot block"):
        status.exception(timeout=1.0)


async def test_result_before_done_is_an_error() -> None:
    status = Status(_value_after(0.01, 1), name="m")
    with pytest.raises(asyncio.InvalidStateError):
        status.result()
    await status


async def test_a_raising_callback_does_not_break_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[str] = []

    def broken(_: object) -> None:
        raise RuntimeError("callback bug")

    status = Status(_value_after(0, 1), name="m")
    status.add_callback(broken)
    status.add_callback(lambda _: seen.append("second"))
    await status
    await asyncio.sleep(0)
    assert seen == ["second"]
    assert "callback bug" in caplog.text


def test_starting_an_operation_without_a_running_loop_says_so() -> None:
    async def never() -> None:
        raise AssertionError("must not run")

    with pytest.raises(RuntimeError, match=r"^m: set\(1\) needs a running event loop"):
        Status(never(), name="m", action="set(1)")


async def test_cancelling_the_task_directly_is_a_failure_too() -> None:
    status = Status(_value_after(10, 1), name="m", action="set(1)")
    await asyncio.sleep(0)
    assert status.task is not None
    status.task.cancel()
    with pytest.raises(StatusCancelledError, match=r"^m: set\(1\) failed: cancelled$"):
        await status
    assert Status.succeeded(None).task is None

"""connect(mock=True): set values, see puts, block or fail puts, and switch back."""

from __future__ import annotations

import asyncio

import pytest
from _device_backends import UnreachableBackend

from skyscope.devices import (
    Device,
    MockSignalBackend,
    SignalR,
    SignalRW,
    StatusFailedError,
    StatusTimeoutError,
    callback_on_mock_put,
    get_mock,
    get_mock_puts,
    reset_mock_puts,
    set_mock_put_fails,
    set_mock_put_proceeds,
    set_mock_value,
    soft_signal_r_and_setter,
    soft_signal_rw,
)


class Heater(Device):
    def __init__(self, name: str = "") -> None:
        self.target = soft_signal_rw(float, 20.0, units="degC", limits=(0.0, 90.0))
        self.temperature, self._set_temperature = soft_signal_r_and_setter(float, 20.0)
        self.remote = SignalRW(UnreachableBackend(float, "lab:heater:power"))
        super().__init__(name)


async def test_mock_connect_switches_every_signal_and_keeps_soft_metadata() -> None:
    heater = Heater("heater")
    await heater.connect(mock=True)
    for signal in (heater.target, heater.temperature, heater.remote):
        assert isinstance(signal.backend, MockSignalBackend)
    assert heater.remote.source == "mock+unreachable://lab:heater:power"
    key = (await heater.target.describe())["heater-target"]
    assert key["units"] == "degC"
    assert key["source"] == "mock+soft://heater-target"
    assert await heater.target.get_value() == 20.0
    assert await heater.remote.get_value() == 0.0  # the datatype's default


async def test_set_mock_value_changes_reads_without_recording_a_put() -> None:
    heater = Heater("heater")
    await heater.connect(mock=True)
    values: list[float] = []
    heater.temperature.subscribe_value(values.append)
    set_mock_value(heater.temperature, 37.5)
    assert await heater.temperature.get_value() == 37.5
    assert values == [20.0, 37.5]
    assert get_mock_puts(heater.temperature) == []
    heater.temperature.clear_sub(values.append)


async def test_puts_are_recorded_in_order() -> None:
    heater = Heater("heater")
    await heater.connect(mock=True)
    await heater.remote.set(1.0)
    await heater.remote.set(2.5)
    assert get_mock_puts(heater.remote) == [1.0, 2.5]
    assert await heater.remote.get_value() == 2.5
    reset_mock_puts(heater.remote)
    assert get_mock_puts(heater.remote) == []


async def test_a_blocked_put_completes_only_when_released() -> None:
    heater = Heater("heater")
    await heater.connect(mock=True)
    set_mock_put_proceeds(heater.target, False)
    status = heater.target.set(50.0)
    await asyncio.sleep(0.02)
    assert not status.done
    assert await heater.target.get_value() == 50.0  # written, not yet completed
    set_mock_put_proceeds(heater.target, True)
    await status
    assert status.success


async def test_a_blocked_put_times_out_naming_the_signal() -> None:
    heater = Heater("heater")
    await heater.connect(mock=True)
    set_mock_put_proceeds(heater.target, False)
    with pytest.raises(StatusTimeoutError, match=r"heater-target: set\(50.0\) failed: timed out"):
        await heater.target.set(50.0, timeout=0.02)


async def test_a_failing_put_fails_the_status_and_stores_nothing() -> None:
    heater = Heater("heater")
    await heater.connect(mock=True)
    set_mock_put_fails(heater.remote, OSError("write access denied"))
    with pytest.raises(
        StatusFailedError, match=r"heater-remote: set.* OSError: write access denied"
    ):
        await heater.remote.set(3.0)
    assert await heater.remote.get_value() == 0.0
    assert get_mock_puts(heater.remote) == [3.0]
    set_mock_put_fails(heater.remote, None)
    await heater.remote.set(3.0)
    assert await heater.remote.get_value() == 3.0


async def test_mock_keeps_checking_types_and_limits() -> None:
    heater = Heater("heater")
    await heater.connect(mock=True)
    with pytest.raises(StatusFailedError, match="outside the control limits"):
        await heater.target.set(120.0)
    with pytest.raises(StatusFailedError, match="expected float"):
        await heater.remote.set("hot")  # type: ignore[arg-type]


async def test_put_callbacks_plain_and_async_see_value_and_wait() -> None:
    heater = Heater("heater")
    await heater.connect(mock=True)
    seen: list[tuple[float, bool]] = []
    callback_on_mock_put(heater.target, lambda value, wait: seen.append((value, wait)))
    await heater.target.set(30.0)

    async def follow(value: float, wait: bool) -> None:
        await asyncio.sleep(0)
        set_mock_value(heater.temperature, value)

    callback_on_mock_put(heater.target, follow)
    await heater.target.set(40.0, wait=False)
    assert seen == [(30.0, True)]
    assert await heater.temperature.get_value() == 40.0


async def test_read_only_setter_follows_the_mock() -> None:
    heater = Heater("heater")
    await heater.connect(mock=True)
    heater._set_temperature(25.0)
    assert await heater.temperature.get_value() == 25.0


async def test_helpers_refuse_a_signal_that_is_not_mocked() -> None:
    signal: SignalR[float] = soft_signal_rw(float, name="plain")
    with pytest.raises(TypeError, match="is not mocked: connect its device with mock=True"):
        get_mock(signal)


async def test_connecting_without_mock_restores_the_real_backend() -> None:
    target = soft_signal_rw(float, 1.0, "target")
    await target.connect(mock=True)
    await target.set(5.0)
    await target.connect()
    assert not isinstance(target.backend, MockSignalBackend)
    assert target.source == "soft://target"
    assert await target.get_value() == 1.0


async def test_subscriptions_move_to_the_mock_backend() -> None:
    target = soft_signal_rw(float, 1.0, "target")
    values: list[float] = []
    target.subscribe_value(values.append)
    await target.connect(mock=True)
    set_mock_value(target, 9.0)
    assert values[-1] == 9.0
    target.clear_sub(values.append)

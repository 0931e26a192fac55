"""skyscope devices pass bluesky's protocol checks and run under bluesky's own RunEngine.

The RunEngine runs its own loop on a thread; devices connect on that loop (their statuses are
made there), and the loop is stopped and closed at the end so nothing leaks into other tests.
"""

from __future__ import annotations

from typing import Any

import bluesky.plan_stubs as bps
import bluesky.plans as bp
import bluesky.protocols as bluesky_protocols
import pytest
from bluesky.run_engine import RunEngine, call_in_bluesky_event_loop
from bluesky.utils import FailedStatus

from skyscope.devices import (
    Device,
    SoftDetector,
    SoftMotor,
    Status,
    StatusFailedError,
    gaussian,
    set_mock_value,
    soft_signal_rw,
)

Documents = list[tuple[str, dict[str, Any]]]


def _connect(*devices: Device, mock: bool = False) -> None:
    for device in devices:
        call_in_bluesky_event_loop(device.connect(mock=mock), timeout=5)


def _motor_and_detector(velocity: float = 0.0) -> tuple[SoftMotor, SoftDetector]:
    motor = SoftMotor("motor", velocity=velocity, limits=(-5.0, 5.0))
    det = SoftDetector("det", compute=gaussian(sigma=0.5), inputs=[motor.readback])
    _connect(motor, det)
    return motor, det


def _run(engine: RunEngine, plan: Any) -> tuple[Any, Documents]:
    documents: Documents = []
    result = engine(plan, lambda name, doc: documents.append((name, doc)))
    return result, documents


def test_devices_satisfy_bluesky_protocols() -> None:
    motor = SoftMotor("motor")
    det = SoftDetector("det")
    signal = soft_signal_rw(float, name="sig")
    for protocol in (
        bluesky_protocols.Readable,
        bluesky_protocols.Configurable,
        bluesky_protocols.Movable,
        bluesky_protocols.Locatable,
        bluesky_protocols.Stoppable,
        bluesky_protocols.Stageable,
        bluesky_protocols.HasHints,
        bluesky_protocols.HasParent,
        bluesky_protocols.Checkable,
    ):
        assert isinstance(motor, protocol), protocol
    for protocol in (bluesky_protocols.Triggerable, bluesky_protocols.Readable):
        assert isinstance(det, protocol), protocol
    assert not isinstance(det, bluesky_protocols.Movable)
    for protocol in (
        bluesky_protocols.Readable,
        bluesky_protocols.Movable,
        bluesky_protocols.Locatable,
        bluesky_protocols.Subscribable,
    ):
        assert isinstance(signal, protocol), protocol
    assert isinstance(Status.succeeded(None), bluesky_protocols.Status)


def test_scan_emits_events_with_motor_and_detector_readings(run_engine: RunEngine) -> None:
    motor, det = _motor_and_detector(velocity=200.0)
    result, documents = _run(run_engine, bp.scan([det], motor, -1.0, 1.0, 5))
    assert result.exit_status == "success"
    names = [name for name, _ in documents]
    assert names == ["start", "descriptor", *["event"] * 5, "stop"]
    start, descriptor = documents[0][1], documents[1][1]
    assert start["hints"] == {"dimensions": [(["motor-readback"], "primary")]}
    keys = descriptor["data_keys"]
    assert set(keys) == {"det-value", "motor-readback", "motor-setpoint"}
    assert (keys["motor-readback"]["units"], keys["motor-readback"]["precision"]) == ("mm", 3)
    assert descriptor["hints"] == {
        "det": {"fields": ["det-value"]},
        "motor": {"fields": ["motor-readback"]},
    }
    assert "motor-velocity" in descriptor["configuration"]["motor"]["data"]
    events = [doc for name, doc in documents if name == "event"]
    positions = [event["data"]["motor-readback"] for event in events]
    assert positions == pytest.approx([-1.0, -0.5, 0.0, 0.5, 1.0])
    peak = [event["data"]["det-value"] for event in events]
    assert peak[2] == pytest.approx(1.0)
    assert peak[0] == pytest.approx(peak[4])
    assert peak[0] < peak[1] < peak[2]
    assert documents[-1][1]["exit_status"] == "success"
    assert documents[-1][1]["num_events"] == {"primary": 5}


def test_count_triggers_the_detector_each_time(run_engine: RunEngine) -> None:
    det = SoftDetector("det")
    _connect(det)
    result, documents = _run(run_engine, bp.count([det], num=4))
    assert result.exit_status == "success"
    values = [doc["data"]["det-value"] for name, doc in documents if name == "event"]
    assert values == [1.0, 2.0, 3.0, 4.0]


def test_a_refused_target_fails_the_plan_with_our_reason(run_engine: RunEngine) -> None:
    motor, det = _motor_and_detector()
    with pytest.raises(FailedStatus) as caught:
        run_engine(bp.scan([det], motor, 0.0, 9.0, 4))
    cause = caught.value.__cause__
    assert isinstance(cause, StatusFailedError)
    assert "motor: set(6.0) failed: LimitsError: target 6.0 is outside the limits" in str(cause)
    assert call_in_bluesky_event_loop(motor.readback.get_value(), timeout=5) == 3.0


def test_move_and_read_back_through_plan_stubs(run_engine: RunEngine) -> None:
    motor, _ = _motor_and_detector(velocity=50.0)

    def plan() -> Any:
        yield from bps.mv(motor, 0.5)
        return (yield from bps.rd(motor))

    result = run_engine(plan())
    assert result.plan_result == 0.5


def test_mock_devices_run_under_the_run_engine(run_engine: RunEngine) -> None:
    motor = SoftMotor("motor", velocity=0.0)
    det = SoftDetector("det", compute=lambda x: 10 * x, inputs=[motor.readback])
    _connect(motor, det, mock=True)
    call_in_bluesky_event_loop(_set_mock(motor), timeout=5)
    result, documents = _run(run_engine, bp.count([det, motor], num=1))
    assert result.exit_status == "success"
    event = next(doc for name, doc in documents if name == "event")
    assert event["data"]["det-value"] == 20.0


async def _set_mock(motor: SoftMotor) -> None:
    set_mock_value(motor.readback, 2.0)

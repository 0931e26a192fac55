"""skyscope's CA devices under bluesky's own RunEngine, whose loop runs on its own thread.

aioca caches channels per event loop: the devices connect on the RunEngine's loop (through
``call_in_bluesky_event_loop``), and those channels are purged there before that loop closes.
"""

from __future__ import annotations

from typing import Any

import bluesky.plans as bp
import bluesky.protocols as bluesky_protocols
import numpy as np
import pytest
from bluesky.run_engine import RunEngine, call_in_bluesky_event_loop

from skyscope.devices import Device
from skyscope.devices.epics import AdCamera, EpicsMotor, epics_signal_r
from skyscope.devices.testing import PatternFrames, TestIOC

pytestmark = pytest.mark.epics


def _connect(*devices: Device) -> None:
    for device in devices:
        call_in_bluesky_event_loop(device.connect(timeout=5), timeout=10)


def test_ca_devices_satisfy_bluesky_protocols(ca_ioc: TestIOC) -> None:
    motor = EpicsMotor(ca_ioc.motor_prefix("z"), name="mz")
    camera = AdCamera(ca_ioc.camera_prefix, name="cam")
    for protocol in (
        bluesky_protocols.Readable,
        bluesky_protocols.Configurable,
        bluesky_protocols.Movable,
        bluesky_protocols.Locatable,
        bluesky_protocols.Stoppable,
        bluesky_protocols.Stageable,
        bluesky_protocols.HasHints,
    ):
        assert isinstance(motor, protocol), protocol
    for protocol in (
        bluesky_protocols.Readable,
        bluesky_protocols.Triggerable,
        bluesky_protocols.Stageable,
        bluesky_protocols.Configurable,
    ):
        assert isinstance(camera, protocol), protocol


def test_bluesky_scan_with_ca_camera_signal_and_motor(
    ca_ioc: TestIOC, run_engine: RunEngine
) -> None:
    motor = EpicsMotor(ca_ioc.motor_prefix("z"), name="mz")
    camera = AdCamera(ca_ioc.camera_prefix, name="cam")
    velocity = epics_signal_r(float, f"{ca_ioc.motor_prefix('z')}.VELO", name="mz_velo")
    _connect(motor, camera, velocity)
    documents: list[tuple[str, dict[str, Any]]] = []
    run_engine(
        bp.scan([camera, velocity], motor, -1.0, 1.0, 3),
        lambda name, doc: documents.append((name, doc)),
    )
    run_engine(bp.scan([velocity], motor, 0.0, 0.0, 1))  # park the motor at 0
    events = [doc for name, doc in documents if name == "event"]
    assert [event["data"]["mz-readback"] for event in events] == [-1.0, 0.0, 1.0]
    frames = [event["data"]["cam-image"] for event in events]
    counters = [event["data"]["cam-driver-array_counter"] for event in events]
    assert counters == list(range(counters[0], counters[0] + 3))
    pattern = PatternFrames()
    for frame, counter in zip(frames, counters, strict=True):
        np.testing.assert_array_equal(frame, pattern(counter))
    descriptor = next(doc for name, doc in documents if name == "descriptor")
    assert descriptor["data_keys"]["cam-image"]["shape"] == [48, 64]
    assert descriptor["data_keys"]["mz-readback"]["units"] == "mm"
    stop = next(doc for name, doc in documents if name == "stop")
    assert stop["exit_status"] == "success"

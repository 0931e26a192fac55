"""skyscope's runtime-checkable protocols tell the engine what each object can do."""

from __future__ import annotations

import inspect
from typing import Any, Generic, Protocol

import bluesky.protocols as bluesky_protocols
import pytest

import skyscope.devices as devices
from skyscope.devices import (
    Checkable,
    Configurable,
    Flyable,
    HasHints,
    HasName,
    HasParent,
    Locatable,
    Movable,
    Pausable,
    Readable,
    SoftDetector,
    SoftMotor,
    Stageable,
    Status,
    StatusProtocol,
    Stoppable,
    Subscribable,
    Triggerable,
    Watchable,
    WatchableStatus,
    WatcherUpdate,
    WritesStreamAssets,
    soft_signal_rw,
    soft_signal_x,
)

SHARED_NAMES = [
    "Readable",
    "Configurable",
    "Movable",
    "Locatable",
    "Triggerable",
    "Stageable",
    "Preparable",
    "Flyable",
    "Collectable",
    "WritesStreamAssets",
    "Pausable",
    "Stoppable",
    "Subscribable",
    "Checkable",
    "HasHints",
    "HasName",
    "HasParent",
]


@pytest.mark.parametrize("name", SHARED_NAMES)
def test_protocols_have_bluesky_method_names_and_parameters(name: str) -> None:
    ours, theirs = getattr(devices, name), getattr(bluesky_protocols, name)
    assert _methods(ours) == _methods(theirs)
    assert _methods(ours)
    for method in _methods(ours):
        theirs_parameters = _parameter_names(theirs, method)
        if theirs_parameters != ["<any positional>"]:
            assert _parameter_names(ours, method) == theirs_parameters, method


def _methods(protocol: type[Any]) -> set[str]:
    own = [cls for cls in protocol.__mro__ if cls not in (object, Protocol, Generic)]
    return {name for cls in own for name in vars(cls) if not name.startswith("_")}


def _parameter_names(protocol: type[Any], method: str) -> list[str]:
    attribute = inspect.getattr_static(protocol, method)
    if isinstance(attribute, property):
        return ["<property>"]
    parameters = list(inspect.signature(attribute).parameters.values())
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return ["<any positional>"]  # bluesky's Movable.set(*args): one positional value
    return [p.name for p in parameters]


def test_motor_can_move_locate_stop_and_be_read() -> None:
    motor = SoftMotor("m")
    for protocol in (
        Readable,
        Configurable,
        Movable,
        Locatable,
        Stoppable,
        Stageable,
        Checkable,
        HasHints,
        HasName,
        HasParent,
    ):
        assert isinstance(motor, protocol), protocol
    assert not isinstance(motor, Triggerable)
    assert not isinstance(motor, Flyable)


def test_detector_triggers_and_reads_but_does_not_move() -> None:
    det = SoftDetector("det")
    assert isinstance(det, Triggerable)
    assert isinstance(det, Readable)
    assert not isinstance(det, Movable)
    assert not isinstance(det, WritesStreamAssets)
    assert not isinstance(det, Pausable)


def test_signals_by_capability() -> None:
    rw = soft_signal_rw(float, name="rw")
    x = soft_signal_x("x")
    assert isinstance(rw, Readable)
    assert isinstance(rw, Locatable)
    assert isinstance(rw, Subscribable)
    assert isinstance(x, Triggerable)
    assert not isinstance(x, Readable)


def test_statuses_satisfy_the_status_protocol_and_watchable_ones_are_watchable() -> None:
    plain = Status.succeeded(None)
    update = WatcherUpdate(current=0.0, initial=0.0, target=0.0)
    watchable = WatchableStatus.finished_at(update)
    assert isinstance(plain, StatusProtocol)
    assert not isinstance(plain, Watchable)
    assert isinstance(watchable, StatusProtocol)
    assert isinstance(watchable, Watchable)

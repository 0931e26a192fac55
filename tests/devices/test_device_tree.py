"""The device tree: names from attributes, parents, concurrent connect with one error."""

from __future__ import annotations

import time

import pytest
from _device_backends import SlowBackend, UnreachableBackend

from skyscope.devices import (
    Device,
    DeviceVector,
    NotConnectedError,
    SignalR,
    SignalRW,
    soft_signal_rw,
)


class Stage(Device):
    def __init__(self, name: str = "") -> None:
        self.x = soft_signal_rw(float)
        self.y = soft_signal_rw(float)
        super().__init__(name)


class Scope(Device):
    def __init__(self, name: str = "") -> None:
        super().__init__(name)  # naming works whether children come before or after this
        self.stage = Stage()
        self.exposure = soft_signal_rw(float)


def test_names_follow_attributes_with_one_rule() -> None:
    scope = Scope("scope")
    assert scope.stage.name == "scope-stage"
    assert scope.stage.x.name == "scope-stage-x"
    assert scope.exposure.name == "scope-exposure"
    assert [attr for attr, _ in scope.children()] == ["stage", "exposure"]


def test_parents_point_up_the_tree() -> None:
    scope = Scope("scope")
    assert scope.parent is None
    assert scope.stage.parent is scope
    assert scope.stage.x.parent is scope.stage


def test_set_name_renames_the_whole_subtree() -> None:
    scope = Scope()
    assert scope.stage.x.name == ""
    scope.set_name("left")
    assert scope.stage.x.name == "left-stage-x"
    scope.set_name("right")
    assert scope.stage.y.name == "right-stage-y"


def test_a_child_added_later_is_named_at_once() -> None:
    scope = Scope("scope")
    scope.focus = soft_signal_rw(float)  # type: ignore[attr-defined]
    assert scope.focus.name == "scope-focus"  # type: ignore[attr-defined]


def test_private_attributes_are_references_not_children() -> None:
    stage = Stage("stage")
    other = Device("other")
    other._watched = stage.x  # type: ignore[attr-defined]
    assert stage.x.name == "stage-x"
    assert stage.x.parent is stage
    assert list(other.children()) == []


def test_a_device_cannot_be_its_own_child() -> None:
    device = Device("d")
    with pytest.raises(ValueError, match="cannot be its own child"):
        device.me = device  # type: ignore[attr-defined]


def test_device_vector_numbers_its_children() -> None:
    wheel = DeviceVector({1: soft_signal_rw(str), 2: soft_signal_rw(str)}, name="filters")
    assert wheel[2].name == "filters-2"
    assert list(wheel) == [1, 2]
    assert len(wheel) == 2
    assert wheel[1].parent is wheel
    assert len({wheel, wheel}) == 1  # hashable by identity (bluesky keeps devices in sets)


def test_repr_names_class_and_device() -> None:
    assert repr(Scope("scope").stage) == "<Stage scope-stage>"


class Rig(Device):
    def __init__(self, name: str = "") -> None:
        self.stage = Stage()
        self.power = SignalRW(UnreachableBackend(float, "lab:power"))
        self.shutter = SignalR(UnreachableBackend(bool, "lab:shutter", OSError("bad cable")))
        self.lamp = SignalR(UnreachableBackend(float, "lab:lamp", hang=True))
        super().__init__(name)


async def test_connect_raises_one_error_listing_every_failed_signal() -> None:
    rig = Rig("rig")
    started = time.monotonic()
    with pytest.raises(NotConnectedError) as caught:
        await rig.connect(timeout=0.2)
    assert time.monotonic() - started < 1.0
    error = caught.value
    assert sorted(error.errors) == [
        "rig-lamp (unreachable://lab:lamp)",
        "rig-power (unreachable://lab:power)",
        "rig-shutter (unreachable://lab:shutter)",
    ]
    message = str(error)
    assert message.startswith("3 signals did not connect:")
    assert (
        "rig-power (unreachable://lab:power): ConnectionRefusedError: no server answers" in message
    )
    assert "rig-shutter (unreachable://lab:shutter): OSError: bad cable" in message
    assert "rig-lamp (unreachable://lab:lamp): TimeoutError: unreachable://lab:lamp did not " in (
        message
    )
    assert "within 0.2 s" in message
    assert "stage" not in message  # the soft signals connected


async def test_connect_is_concurrent_across_the_tree() -> None:
    class Slow(Device):
        def __init__(self) -> None:
            self.a = SignalRW(SlowBackend(0.2))
            self.b = SignalRW(SlowBackend(0.2))
            self.c = SignalRW(SlowBackend(0.2))
            super().__init__("slow")

    started = time.monotonic()
    await Slow().connect(timeout=2.0)
    assert time.monotonic() - started < 0.5


async def test_a_lone_signal_reports_the_same_error_type() -> None:
    signal = SignalR(UnreachableBackend(float, "pv"), name="lone")
    with pytest.raises(NotConnectedError, match=r"1 signal did not connect:\n  lone \(unreachable"):
        await signal.connect(timeout=0.1)


async def test_a_failed_tree_connects_in_mock_mode() -> None:
    rig = Rig("rig")
    await rig.connect(mock=True)
    await rig.power.set(2.0)
    assert await rig.power.get_value() == 2.0


async def test_an_overriding_connect_merges_into_the_parent_error() -> None:
    class Checked(Device):
        async def connect(self, mock: bool = False, timeout: float = 10.0) -> None:
            raise RuntimeError("firmware too old")

    class Bench(Device):
        def __init__(self) -> None:
            self.checked = Checked()
            self.power = SignalRW(UnreachableBackend(float, "lab:power"))
            super().__init__("bench")

    with pytest.raises(NotConnectedError) as caught:
        await Bench().connect(timeout=0.1)
    assert set(caught.value.errors) == {"bench-checked", "bench-power (unreachable://lab:power)"}


def test_a_child_may_not_hide_a_method() -> None:
    from skyscope.devices import StandardReadable

    class Microscope(StandardReadable):
        def __init__(self) -> None:
            self.stage = Stage()  # would hide StandardReadable.stage(), which engines call
            super().__init__("scope")

    with pytest.raises(AttributeError, match=r"Microscope.stage is a method .* would hide it"):
        Microscope()

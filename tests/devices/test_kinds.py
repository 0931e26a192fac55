"""StandardReadable: each child's kind decides read, read_configuration and hints."""

from __future__ import annotations

from typing import Any

import pytest
from _device_backends import SlowBackend

from skyscope.devices import (
    Kind,
    SignalR,
    StandardReadable,
    soft_signal_r_and_setter,
    soft_signal_rw,
)


class Camera(StandardReadable):
    def __init__(self, name: str = "") -> None:
        with self.add_children_as_readables(Kind.HINTED):
            self.mean, _ = soft_signal_r_and_setter(float, 12.5)
        with self.add_children_as_readables(Kind.NORMAL):
            self.frame_count, _ = soft_signal_r_and_setter(int, 3)
        with self.add_children_as_readables(Kind.CONFIG):
            self.exposure = soft_signal_rw(float, 0.1, units="s")
        self.temperature = soft_signal_rw(float, -10.0)  # not registered: omitted
        super().__init__(name)


class Microscope(StandardReadable):
    def __init__(self, name: str = "") -> None:
        super().__init__(name)
        self.camera = Camera()
        self.aux = Camera()
        self.lamp = soft_signal_rw(float, 1.0)
        self.add_readables([self.camera], Kind.HINTED)
        self.add_readables([self.aux], Kind.NORMAL)
        self.add_readables([self.lamp], Kind.CONFIG)


async def test_kinds_decide_read_and_configuration() -> None:
    camera = Camera("cam")
    assert list(await camera.read()) == ["cam-mean", "cam-frame_count"]
    assert list(await camera.describe()) == ["cam-mean", "cam-frame_count"]
    assert list(await camera.read_configuration()) == ["cam-exposure"]
    config_keys = await camera.describe_configuration()
    assert config_keys["cam-exposure"]["units"] == "s"
    assert camera.hints == {"fields": ["cam-mean"]}
    assert camera.kind_of(camera.temperature) is Kind.OMITTED
    assert camera.kind_of(camera.exposure) is Kind.CONFIG


async def test_child_devices_contribute_their_own_readings() -> None:
    scope = Microscope("scope")
    assert list(await scope.read()) == [
        "scope-camera-mean",
        "scope-camera-frame_count",
        "scope-aux-mean",
        "scope-aux-frame_count",
    ]
    assert list(await scope.read_configuration()) == [
        "scope-camera-exposure",
        "scope-aux-exposure",
        "scope-lamp",
    ]
    assert scope.hints == {"fields": ["scope-camera-mean"]}  # aux is NORMAL: no hints


async def test_registering_again_changes_the_kind() -> None:
    camera = Camera("cam")
    camera.add_readables([camera.mean], Kind.OMITTED)
    assert list(await camera.read()) == ["cam-frame_count"]
    assert camera.hints == {"fields": []}


async def test_values_come_through_read() -> None:
    camera = Camera("cam")
    await camera.exposure.set(0.5)
    assert (await camera.read_configuration())["cam-exposure"]["value"] == 0.5
    assert (await camera.read())["cam-mean"]["value"] == 12.5


async def test_children_with_io_are_read_concurrently() -> None:
    class Remote(StandardReadable):
        def __init__(self) -> None:
            with self.add_children_as_readables(Kind.NORMAL):
                self.a = SignalR(SlowBackend(0.0))
                self.b = SignalR(SlowBackend(0.0))
            super().__init__("remote")

    remote = Remote()
    assert not remote._reads_instantly()
    assert Camera("cam")._reads_instantly()
    assert list(await remote.read()) == ["remote-a", "remote-b"]


async def test_soft_children_are_read_without_a_coroutine_each() -> None:
    scope = Microscope("scope")
    now = scope._read_now()
    assert now is not None
    assert now.keys() == (await scope.read()).keys()
    assert now["scope-camera-mean"]["value"] == 12.5
    now["scope-camera-mean"]["value"] = -1.0  # a copy: the signal's reading is untouched
    assert (await scope.read())["scope-camera-mean"]["value"] == 12.5


async def test_a_child_reading_its_own_way_is_asked_through_its_read() -> None:
    class Counting(Camera):
        reads = 0

        async def read(self) -> dict[str, Any]:
            Counting.reads += 1
            return {**await super().read(), "extra": {"value": 1, "timestamp": 0.0}}

    class Host(StandardReadable):
        def __init__(self) -> None:
            super().__init__("host")
            self.camera = Counting()
            self.add_readables([self.camera], Kind.NORMAL)

    host = Host()
    assert host._read_now() is None  # the override must run: no synchronous shortcut
    assert "extra" in await host.read()
    assert Counting.reads == 1


async def test_a_child_with_io_makes_the_read_asynchronous() -> None:
    class Mixed(StandardReadable):
        def __init__(self) -> None:
            with self.add_children_as_readables(Kind.NORMAL):
                self.soft, _ = soft_signal_r_and_setter(float, 1.0)
                self.remote = SignalR(SlowBackend(0.0))
            super().__init__("mixed")

    mixed = Mixed()
    assert mixed._read_now() is None
    reading = await mixed.read()
    assert [r["value"] for r in reading.values()] == [1.0, 0.0]


async def test_stage_and_unstage_finish_at_once() -> None:
    camera = Camera("cam")
    assert camera.stage().success
    assert camera.unstage().success


@pytest.mark.parametrize("kind", list(Kind))
def test_kind_values_are_readable_names(kind: Kind) -> None:
    assert kind.value == kind.name.lower()

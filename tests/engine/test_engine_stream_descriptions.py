"""Each new stream describes its devices afresh, as bluesky's bundler does."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from skyscope.engine import Engine, Msg


class GainedDevice:
    """A readable whose gain (its configuration) changes between streams; counts its calls."""

    name = "amp"
    parent = None

    def __init__(self) -> None:
        self.gain = 0
        self.calls = {"describe": 0, "describe_configuration": 0, "read_configuration": 0}

    def read(self) -> dict[str, Any]:
        return {"amp-value": {"value": 1.0, "timestamp": 1.0}}

    def describe(self) -> dict[str, Any]:
        self.calls["describe"] += 1
        return {"amp-value": {"source": "soft", "dtype": "number", "shape": []}}

    def read_configuration(self) -> dict[str, Any]:
        self.calls["read_configuration"] += 1
        return {"amp-gain": {"value": self.gain, "timestamp": 1.0}}

    def describe_configuration(self) -> dict[str, Any]:
        self.calls["describe_configuration"] += 1
        return {"amp-gain": {"source": "soft", "dtype": "integer", "shape": []}}


async def _two_events_per_gain(amp: GainedDevice, gains: list[int]) -> AsyncGenerator[Msg, Any]:
    yield Msg("open_run")
    for gain in gains:
        amp.gain = gain
        for _ in range(2):
            yield Msg("create", name=f"gain{gain}")
            yield Msg("read", amp)
            yield Msg("save")
    yield Msg("close_run")


async def test_each_stream_carries_configuration_as_it_starts(engine: Engine, recorder) -> None:
    amp = GainedDevice()
    await engine(_two_events_per_gain(amp, [0, 1, 2]))
    descriptors = recorder.of("descriptor")
    assert [d["name"] for d in descriptors] == ["gain0", "gain1", "gain2"]
    assert [d["configuration"]["amp"]["data"] for d in descriptors] == [
        {"amp-gain": 0},
        {"amp-gain": 1},
        {"amp-gain": 2},
    ]
    assert amp.calls == {"describe": 3, "describe_configuration": 3, "read_configuration": 3}
    assert len(recorder.of("event")) == 6


async def test_a_stream_seen_again_is_not_described_again(engine: Engine, recorder) -> None:
    amp = GainedDevice()
    await engine(_two_events_per_gain(amp, [5, 5]))
    assert len(recorder.of("descriptor")) == 1
    assert amp.calls["describe"] == 1

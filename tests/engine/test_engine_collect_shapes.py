"""A flyer's ``describe_collect`` in either of bluesky's shapes: flat, or keyed by stream name."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterator
from typing import Any

import pytest

from skyscope.devices import Status
from skyscope.engine import Engine, IllegalMessageSequence, Msg


async def _done() -> None:
    return None


class Flyer:
    """A flyer that gathered three points, describing them as ``described`` says (a real one)."""

    def __init__(self, name: str, described: dict[str, Any]) -> None:
        self.name = name
        self.parent = None
        self.described = described

    def kickoff(self) -> Status[None]:
        return Status(_done(), name=self.name, action="kickoff()")

    def complete(self) -> Status[None]:
        return Status(_done(), name=self.name, action="complete()")

    def describe_collect(self) -> dict[str, Any]:
        return self.described

    def collect(self) -> Iterator[dict[str, Any]]:
        for i in range(3):
            yield {"data": {"x": float(i)}, "timestamps": {"x": float(i)}, "time": float(i)}


X_KEY = {"x": {"source": "test://x", "dtype": "number", "shape": []}}


def _fly(flyer: Flyer) -> AsyncGenerator[Msg, Any]:
    async def plan() -> AsyncGenerator[Msg, Any]:
        yield Msg("open_run")
        yield Msg("kickoff", flyer, wait=True)
        yield Msg("complete", flyer, wait=True)
        yield Msg("collect", flyer)
        yield Msg("close_run")

    return plan()


async def test_a_flyer_keying_its_data_keys_by_stream_is_collected_into_that_stream(
    engine: Engine, recorder: Any
) -> None:
    await engine(_fly(Flyer("old_style", {"sweep": X_KEY})))
    (descriptor,) = recorder.of("descriptor")
    assert descriptor["name"] == "sweep"
    assert set(descriptor["data_keys"]) == {"x"}
    assert [e["data"]["x"] for e in recorder.of("event")] == [0.0, 1.0, 2.0]


async def test_a_flat_describe_collect_names_the_stream_after_the_flyer(
    engine: Engine, recorder: Any
) -> None:
    await engine(_fly(Flyer("flat", X_KEY)))
    (descriptor,) = recorder.of("descriptor")
    assert descriptor["name"] == "flat"


async def test_several_streams_from_one_flyer_are_refused_naming_them(engine: Engine) -> None:
    flyer = Flyer("many", {"a": X_KEY, "b": X_KEY})
    with pytest.raises(IllegalMessageSequence, match=r"several streams \(a, b\)"):
        await engine(_fly(flyer))

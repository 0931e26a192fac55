"""Engine test fixtures: soft devices, an engine with an in-memory md, a document recorder."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from event_model import DocumentNames, schema_validators

from skyscope.devices import SoftDetector, SoftMotor, gaussian
from skyscope.engine import Engine


class Recorder:
    """A subscriber that keeps every document, and checks each against event-model's schema."""

    def __init__(self) -> None:
        self.docs: list[tuple[str, Any]] = []

    def __call__(self, name: str, doc: Any) -> None:
        schema_validators[DocumentNames[name]].validate(doc)
        self.docs.append((name, doc))

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.docs]

    def of(self, kind: str) -> list[Any]:
        return [doc for name, doc in self.docs if name == kind]


@pytest.fixture
async def motor() -> SoftMotor:
    device = SoftMotor("motor", velocity=float("inf"))
    await device.connect()
    return device


@pytest.fixture
async def slow_motor() -> SoftMotor:
    device = SoftMotor("slow", velocity=2.0, limits=(-100, 100))
    await device.connect()
    return device


@pytest.fixture
async def det(motor: SoftMotor) -> SoftDetector:
    device = SoftDetector("det", compute=gaussian(center=0.0, sigma=1.0), inputs=[motor.readback])
    await device.connect()
    return device


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def engine(recorder: Recorder) -> AsyncIterator[Engine]:
    eng = Engine(md={}, handle_sigint=False)
    eng.subscribe(recorder)
    yield eng
    assert eng.state == "idle" or eng.state == "paused"
    if eng.state == "paused":
        await eng.abort("test teardown")

"""Backends for tests: one that can never connect, one that connects after a delay."""

from __future__ import annotations

import asyncio
from typing import Any, Generic, TypeVar

from skyscope.devices import ReadingCallback, SignalBackend
from skyscope.documents import DataKey, Reading

T = TypeVar("T")


class UnreachableBackend(SignalBackend[T], Generic[T]):
    """A backend whose hardware never answers: connect fails with the reason given."""

    def __init__(
        self, datatype: type[T], address: str, reason: Exception | None = None, hang: bool = False
    ) -> None:
        self.datatype = datatype
        self.address = address
        self.reason = reason or ConnectionRefusedError(f"no server answers for {address}")
        self.hang = hang

    def source(self, name: str) -> str:
        return f"unreachable://{self.address}"

    async def connect(self, timeout: float) -> None:
        if self.hang:
            await asyncio.sleep(3600)
        raise self.reason

    async def put(self, value: T | None, wait: bool) -> None:
        raise ConnectionError(f"{self.address} is not connected")

    async def get_datakey(self, source: str) -> DataKey:
        raise ConnectionError(f"{self.address} is not connected")

    async def get_reading(self) -> Reading[T]:
        raise ConnectionError(f"{self.address} is not connected")

    async def get_value(self) -> T:
        raise ConnectionError(f"{self.address} is not connected")

    async def get_setpoint(self) -> T:
        raise ConnectionError(f"{self.address} is not connected")

    def set_callback(self, callback: ReadingCallback[T] | None) -> None:
        return None


class SlowBackend(SignalBackend[float]):
    """A backend that connects after ``delay`` seconds (to check connects run concurrently)."""

    datatype = float

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.value = 0.0

    def source(self, name: str) -> str:
        return f"slow://{name}"

    async def connect(self, timeout: float) -> None:
        await asyncio.sleep(self.delay)

    async def put(self, value: Any, wait: bool) -> None:
        await asyncio.sleep(0)
        self.value = float(value)

    async def get_datakey(self, source: str) -> DataKey:
        return {"source": source, "dtype": "number", "shape": []}

    async def get_reading(self) -> Reading[float]:
        return {"value": self.value, "timestamp": 0.0}

    async def get_value(self) -> float:
        return self.value

    async def get_setpoint(self) -> float:
        return self.value

    def set_callback(self, callback: ReadingCallback[float] | None) -> None:
        return None

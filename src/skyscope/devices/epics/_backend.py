"""``CaSignalBackend``: a signal's value in an EPICS PV, over Channel Access through aioca.

Reads come from ``read_pv``, writes go to ``write_pv`` (often the same PV); ``put(wait=True)``
uses put-completion, so it returns when the IOC says the write is done (a motor's move has
ended, a camera's acquisition is finished). Every failure names the PV.
"""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

import aioca
from aioca import DBR_CHAR, FORMAT_CTRL, FORMAT_TIME

from ...documents import DataKey, Reading
from .._backend import ReadingCallback, SignalBackend
from ._channels import (
    Monitor,
    connect_error,
    forget_stale_channels,
    get_error,
    note_connected,
    put_error,
)
from ._conversion import CaConversion

T = TypeVar("T")

DEFAULT_IO_TIMEOUT = 10.0
"""Seconds a get, or a put without waiting for completion, may take before it fails."""


class CaSignalBackend(SignalBackend[T]):
    """Talks to one PV (or a setpoint/readback pair) through aioca."""

    def __init__(
        self,
        datatype: type[T] | None,
        read_pv: str,
        write_pv: str | None = None,
        *,
        io_timeout: float = DEFAULT_IO_TIMEOUT,
    ) -> None:
        """Serve ``datatype`` values read from ``read_pv`` and written to ``write_pv``."""
        self.datatype = datatype
        self.read_pv = read_pv
        self.write_pv = write_pv or read_pv
        self.io_timeout = io_timeout
        self._conversion: CaConversion[T] = CaConversion(datatype)
        self._monitor: Monitor | None = None

    def _pvs(self) -> list[str]:
        return list(dict.fromkeys((self.read_pv, self.write_pv)))

    def source(self, name: str) -> str:
        """Return ``ca://<read PV>``."""
        return f"ca://{self.read_pv}"

    async def connect(self, timeout: float) -> None:
        """Connect every PV within ``timeout``; an error names each PV that did not answer."""
        forget_stale_channels(self._pvs())
        results = await asyncio.gather(
            *(aioca.cainfo(pv, timeout=timeout) for pv in self._pvs()), return_exceptions=True
        )
        for pv, result in zip(self._pvs(), results, strict=True):
            if isinstance(result, BaseException):
                raise connect_error(pv, result, timeout) from result
        info: Any = results[0]
        if self.datatype is str and info.datatype == DBR_CHAR and info.count > 1:
            self._conversion.use_long_strings()
        note_connected(self._pvs())

    async def put(self, value: T | None, wait: bool) -> None:
        """Write ``value`` (checked against the datatype first); with ``wait``, until done."""
        wire = self._conversion.to_ca(value)
        try:
            await aioca.caput(
                self.write_pv,
                wire,
                datatype=self._conversion.request,
                wait=wait,
                timeout=None if wait else self.io_timeout,
            )
        except Exception as error:
            raise put_error(self.write_pv, value, error) from error

    async def _get(self, pv: str, **options: Any) -> Any:
        try:
            return await aioca.caget(pv, timeout=self.io_timeout, **options)
        except Exception as error:
            raise get_error(pv, error) from error

    async def get_datakey(self, source: str) -> DataKey:
        """Describe the value with the PV's units, precision, limits and enum choices."""
        metadata = await self._get(self.read_pv, format=FORMAT_CTRL)
        if self._conversion.request is None:
            value = self._conversion.from_ca(metadata)
        else:
            value = await self.get_value()
        return self._conversion.datakey(source, value, metadata)

    async def get_reading(self) -> Reading[T]:
        """Return the value with its IOC timestamp and alarm severity."""
        raw = await self._get(self.read_pv, datatype=self._conversion.request, format=FORMAT_TIME)
        return self._reading(raw)

    def _reading(self, raw: Any) -> Reading[T]:
        return {
            "value": self._conversion.from_ca(raw),
            "timestamp": raw.timestamp,
            "alarm_severity": int(raw.severity),
        }

    async def get_value(self) -> T:
        """Return the current value of the read PV."""
        raw = await self._get(self.read_pv, datatype=self._conversion.request)
        return self._conversion.from_ca(raw)

    async def get_setpoint(self) -> T:
        """Return the current value of the write PV (the setpoint)."""
        raw = await self._get(self.write_pv, datatype=self._conversion.request)
        return self._conversion.from_ca(raw)

    def set_callback(self, callback: ReadingCallback[T] | None) -> None:
        """Monitor the read PV (every update, none merged); ``None`` stops monitoring."""
        if self._monitor is not None:
            self._monitor.close()
            self._monitor = None
        if callback is None:
            return

        def deliver(raw: Any) -> None:
            callback(self._reading(raw))

        self._monitor = Monitor(
            self.read_pv,
            deliver,
            datatype=self._conversion.request,
            format=FORMAT_TIME,
            all_updates=True,
        )

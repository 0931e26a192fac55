"""``SoftDetector``: a cheap detector whose value is computed on trigger from other signals.

Like ophyd.sim's ``det`` (a Gaussian of a motor's position), it lets plans, the engine and
benchmarks run without hardware. With no exposure and soft inputs, ``trigger()`` completes
synchronously with no task, so a trigger+read costs a few microseconds.
"""

from __future__ import annotations

import asyncio
import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

from ._readable import Kind, StandardReadable
from ._signal import SignalR
from ._soft_signals import soft_signal_r_and_setter, soft_signal_rw
from ._status import Status

Compute = Callable[..., Any]
"""Computes the detector's value from the current values of its inputs (in order)."""


class SoftDetector(StandardReadable):
    """A detector whose ``value`` (hinted) is ``compute(*input values)`` at each trigger."""

    def __init__(
        self,
        name: str = "",
        *,
        compute: Compute | None = None,
        inputs: Sequence[SignalR[Any]] = (),
        datatype: type[Any] = float,
        units: str | None = None,
        precision: int | None = None,
        exposure: float = 0.0,
    ) -> None:
        """Make a detector; without ``compute`` its value is the number of triggers so far."""
        with self.add_children_as_readables(Kind.HINTED):
            self.value, self._set_value = soft_signal_r_and_setter(
                datatype, None, units=units, precision=precision
            )
        with self.add_children_as_readables(Kind.CONFIG):
            self.exposure = soft_signal_rw(float, exposure, units="s")
        self._inputs = tuple(inputs)
        self._compute = compute if compute is not None else self._count
        self._shots = itertools.count(1)  # no attribute write per trigger (Device.__setattr__)
        super().__init__(name)

    def trigger(self) -> Status[None]:
        """Acquire: wait the exposure, then compute and store the new value."""
        values = self._inputs_now()
        exposure = self.exposure._soft_backend()
        if values is not None and exposure is not None and exposure.value <= 0:
            return self._finish_now(values)
        return Status(self._acquire(), name=self.name, action="trigger()")

    def _finish_now(self, values: list[Any]) -> Status[None]:
        try:
            self._store(values)
        except Exception as error:
            return Status.failed(error, name=self.name, action="trigger()")
        return Status.succeeded(None, name=self._name, action="trigger()")

    async def _acquire(self) -> None:
        exposure = await self.exposure.get_value()
        if exposure > 0:
            await asyncio.sleep(exposure)
        self._store([await signal.get_value() for signal in self._inputs])

    def _inputs_now(self) -> list[Any] | None:
        """Return the inputs' values read synchronously, or ``None`` if one needs I/O."""
        values = []
        for signal in self._inputs:
            soft = signal._soft_backend()
            if soft is None:
                return None
            values.append(soft.value)
        return values

    def _store(self, values: list[Any]) -> None:
        self._set_value(self._compute(*values))

    def _count(self, *_inputs: Any) -> float:
        return float(next(self._shots))


def gaussian(center: float = 0.0, sigma: float = 1.0, amplitude: float = 1.0) -> Compute:
    """Return ``f(x) = amplitude * exp(-(x - center)² / 2 sigma²)``, a peak to scan across."""
    if sigma <= 0:
        raise ValueError(f"sigma must be positive, got {sigma}")

    def peak(x: float) -> float:
        return amplitude * math.exp(-((x - center) ** 2) / (2 * sigma**2))

    return peak

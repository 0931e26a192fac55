"""Factories for Channel Access signals: read-only, read-write (with a readback), executable."""

from __future__ import annotations

from typing import TypeVar

from .._signal import SignalR, SignalRW, SignalX
from ._backend import CaSignalBackend

T = TypeVar("T")


def epics_signal_r(datatype: type[T], pv: str, name: str = "") -> SignalR[T]:
    """Make a signal that reads ``pv`` as ``datatype``."""
    return SignalR(CaSignalBackend(datatype, pv), name=name)


def epics_signal_rw(
    datatype: type[T], pv: str, readback_pv: str | None = None, name: str = ""
) -> SignalRW[T]:
    """Make a signal that writes ``pv`` and reads ``readback_pv`` (default: ``pv`` itself)."""
    return SignalRW(CaSignalBackend(datatype, readback_pv or pv, pv), name=name)


def epics_signal_x(pv: str, name: str = "") -> SignalX:
    """Make an executable signal: ``trigger()`` writes 1 to ``pv`` (with put-completion)."""
    return SignalX(CaSignalBackend(None, pv), name=name)

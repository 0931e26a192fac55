"""aioca's channels, kept healthy: fast reconnection after an IOC restart, and clear errors.

aioca caches one channel per PV and event loop. After an IOC restarts, libca finds it again only
after its disconnect search backoff (up to ~10 s without a CA repeater); fresh channels find it
at once. So when a connect meets a channel that *was* connected and is not now, the caches are
purged; that also closes every subscription, so skyscope's own monitors re-subscribe themselves.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import Any

import aioca
from epicscorelibs.ca.cadef import CAException  # type: ignore[import-untyped]

ECA_TIMEOUT = 80
ECA_DISCONN = 192

_connected_once: dict[asyncio.AbstractEventLoop, set[str]] = {}
_live_monitors: weakref.WeakSet[Monitor] = weakref.WeakSet()


def note_connected(pvs: list[str]) -> None:
    """Remember that these PVs connected on the running loop (so a later loss is detectable)."""
    _connected_once.setdefault(asyncio.get_running_loop(), set()).update(pvs)


def forget_stale_channels(pvs: list[str]) -> bool:
    """Purge aioca's channels if any of ``pvs`` was connected and is not now; say if it did.

    Check and purge run without yielding to the loop, so concurrent connects purge only once.
    """
    known = _connected_once.get(asyncio.get_running_loop(), set())
    if not known.intersection(pvs):
        return False
    connected = {info.name: info.connected for info in aioca.get_channel_infos()}
    if all(connected.get(pv, True) for pv in pvs):
        return False
    purge_channels()
    return True


def purge_channels() -> None:
    """Close every aioca channel (all loops), then re-open skyscope's live monitors."""
    aioca.purge_channel_caches()
    _connected_once.clear()
    for monitor in list(_live_monitors):
        monitor.reopen_soon()


class Monitor:
    """A ``camonitor`` that survives ``purge_channels`` (it re-subscribes on its own loop)."""

    def __init__(self, pv: str, callback: Callable[[Any], None], **options: Any) -> None:
        """Subscribe to ``pv`` on the running loop with aioca ``options``."""
        self._pv, self._callback, self._options = pv, callback, options
        self._loop = asyncio.get_running_loop()
        self._subscription: aioca.Subscription | None = None
        self._closed = False
        self._open()
        _live_monitors.add(self)

    def _open(self) -> None:
        if not self._closed:
            self._subscription = aioca.camonitor(self._pv, self._callback, **self._options)

    def reopen_soon(self) -> None:
        """Subscribe again (on the monitor's loop) after the channel caches were purged."""
        if self._loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._open()
        else:
            self._loop.call_soon_threadsafe(self._open)

    def close(self) -> None:
        """Stop the subscription for good."""
        self._closed = True
        _live_monitors.discard(self)
        if self._subscription is not None:
            self._subscription.close()
            self._subscription = None


def connect_error(pv: str, error: BaseException, timeout: float) -> Exception:
    """Turn aioca's connect failure into an error naming the PV and the likely cause."""
    if getattr(error, "errorcode", None) == ECA_TIMEOUT or isinstance(error, TimeoutError):
        return TimeoutError(
            f"{pv}: no Channel Access server answered within {timeout:g} s "
            "(is the IOC running, and is it on EPICS_CA_ADDR_LIST?)"
        )
    return ConnectionError(f"{pv}: {error}")


def put_error(pv: str, value: object, error: BaseException) -> Exception:
    """Turn aioca's put failure into an error naming the PV, the value and what happened."""
    if isinstance(error, CAException) and "access" in str(error).lower():
        return PermissionError(f"{pv} is read-only: the IOC denied write access ({error})")
    code = getattr(error, "errorcode", None)
    if code == ECA_DISCONN:
        return ConnectionError(
            f"{pv}: lost the connection to the IOC before the put of {value!r} completed"
        )
    if code == ECA_TIMEOUT:
        return TimeoutError(f"{pv}: the put of {value!r} got no answer in time")
    return ValueError(f"{pv}: the IOC refused the put of {value!r} ({error})")


def get_error(pv: str, error: BaseException) -> Exception:
    """Turn aioca's get failure into an error naming the PV."""
    if getattr(error, "errorcode", None) == ECA_TIMEOUT:
        return TimeoutError(f"{pv}: no answer in time (is the IOC still running?)")
    return ConnectionError(f"{pv}: {error}")

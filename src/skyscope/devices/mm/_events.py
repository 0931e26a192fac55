"""``CoreEvents``: the core's callbacks (property changes, stage moves…) delivered on the loop.

pymmcore-plus emits its events on whatever thread made the change: the worker thread, a camera's
acquisition thread, or the device adapter's own. Each listener is called on the event loop it
subscribed from (``call_soon_threadsafe``), with the value the event carries, in the order the
events were emitted.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Hashable
from typing import Any

Topic = tuple[Hashable, ...]
"""What a listener hears about: ``("property", device, name)``, ``("stage", label)``,
``("xy", label)``, ``("exposure", camera)``, ``("config", group)`` or ``("pixel_size",)``."""

Listener = Callable[[Any], None]
"""Called with the event's value (a property's new value, a stage's position, a preset…)."""

AnyListener = Callable[[Topic, Any], None]
"""Called with every event's topic and value (to follow the whole system)."""

TopicFilter = Callable[[Topic], bool]
"""Says, on the emitting thread, whether a listener wants an event (the others cost nothing)."""

_SIGNALS = (
    "propertyChanged",
    "stagePositionChanged",
    "XYStagePositionChanged",
    "exposureChanged",
    "configSet",
    "pixelSizeChanged",
)


class CoreEvents:
    """Routes the core's events to listeners, each on its own event loop."""

    def __init__(self, core: Any) -> None:
        """Connect to ``core.events`` (disconnected again by ``close()``)."""
        self._events = core.events
        self._lock = threading.Lock()
        self._listeners: dict[Topic, list[tuple[asyncio.AbstractEventLoop, Listener]]] = {}
        self._everything: list[tuple[asyncio.AbstractEventLoop, AnyListener, TopicFilter]] = []
        for signal, slot in zip(_SIGNALS, self._slots(), strict=True):
            getattr(self._events, signal).connect(slot)

    def _slots(self) -> tuple[Callable[..., None], ...]:
        return (
            self._on_property,
            self._on_stage,
            self._on_xy,
            self._on_exposure,
            self._on_config,
            self._on_pixel_size,
        )

    def listen(self, topic: Topic, listener: Listener) -> Callable[[], None]:
        """Call ``listener(value)`` on this loop for each event of ``topic``; return an undo."""
        entry = (asyncio.get_running_loop(), listener)
        with self._lock:
            self._listeners.setdefault(topic, []).append(entry)

        def forget() -> None:
            with self._lock:
                entries = self._listeners.get(topic, [])
                if entry in entries:
                    entries.remove(entry)

        return forget

    def listen_all(
        self, listener: AnyListener, wants: TopicFilter = lambda topic: True
    ) -> Callable[[], None]:
        """Call ``listener(topic, value)`` on this loop for each event it ``wants``; return an undo.

        ``wants`` runs on the thread that emitted the event: keep it cheap and thread-safe.
        """
        entry = (asyncio.get_running_loop(), listener, wants)
        with self._lock:
            self._everything.append(entry)

        def forget() -> None:
            with self._lock:
                if entry in self._everything:
                    self._everything.remove(entry)

        return forget

    def emit(self, topic: Topic, value: Any) -> None:
        """Deliver an event to its listeners (what the core's callbacks call)."""
        with self._lock:
            listeners = list(self._listeners.get(topic, ()))
            everything = list(self._everything)
        for loop, listener in listeners:
            _call_on(loop, listener, value)
        for loop, follower, wants in everything:
            if wants(topic):
                _call_on(loop, follower, topic, value)

    def close(self) -> None:
        """Disconnect from the core and forget every listener."""
        for signal, slot in zip(_SIGNALS, self._slots(), strict=True):
            getattr(self._events, signal).disconnect(slot)
        with self._lock:
            self._listeners.clear()
            self._everything.clear()

    # --- the core's callbacks --------------------------------------------------------------

    def _on_property(self, device: str, name: str, value: Any) -> None:
        self.emit(("property", device, name), value)

    def _on_stage(self, label: str, position: float) -> None:
        self.emit(("stage", label), float(position))

    def _on_xy(self, label: str, x: float, y: float) -> None:
        self.emit(("xy", label), (float(x), float(y)))

    def _on_exposure(self, camera: str, exposure_ms: float) -> None:
        self.emit(("exposure", camera), float(exposure_ms))

    def _on_config(self, group: str, preset: str) -> None:
        self.emit(("config", group), preset)

    def _on_pixel_size(self, size_um: float) -> None:
        self.emit(("pixel_size",), float(size_um))


def _call_on(loop: asyncio.AbstractEventLoop, function: Callable[..., None], *args: Any) -> None:
    """Run ``function(*args)`` on ``loop`` soon, from any thread; a closed loop hears nothing."""
    if loop.is_closed():
        return
    try:
        loop.call_soon_threadsafe(function, *args)
    except RuntimeError:  # the loop closed between the check and the call
        return

"""``StandardReadable``: a device whose children's kinds decide what it reads and hints.

Each registered child has a ``Kind``: ``HINTED`` (read every event and suggested for plots),
``NORMAL`` (read every event), ``CONFIG`` (read once per run, in ``read_configuration``) or
``OMITTED`` (never read). A child device (not a signal) contributes its own ``read()``,
``read_configuration()`` and ``hints`` (hints only when it is registered ``HINTED``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import Enum
from typing import Any

from ..documents import DataKey, Reading
from ._device import Device
from ._protocols import Hints
from ._signal import SignalR
from ._status import Status


class Kind(Enum):
    """How a child of a ``StandardReadable`` is read."""

    HINTED = "hinted"
    NORMAL = "normal"
    CONFIG = "config"
    OMITTED = "omitted"


_EVENT_KINDS = (Kind.HINTED, Kind.NORMAL)

Source = tuple[Callable[[], Awaitable[dict[str, Any]]], Any]
"""A bound ``read``/``describe``… method and the child it belongs to."""
ReadNow = Callable[[], dict[str, Reading[Any]] | None]
"""A child's synchronous read: its readings, or ``None`` when it needs I/O right now."""


class StandardReadable(Device):
    """A device that reads, describes and hints its registered children according to their kind."""

    def add_readables(self, devices: Sequence[Device], kind: Kind = Kind.NORMAL) -> None:
        """Register children (signals or devices) with a kind; registering again changes it."""
        table = self._kinds()
        for device in devices:
            table[id(device)] = (device, kind)
        self.__dict__.pop("_source_cache", None)
        self.__dict__.pop("_now_cache", None)

    @contextmanager
    def add_children_as_readables(self, kind: Kind = Kind.NORMAL) -> Iterator[None]:
        """Register every child attribute assigned inside the ``with`` block with ``kind``."""
        before = {id(child) for _, child in self.children()}
        yield
        added = [child for _, child in self.children() if id(child) not in before]
        self.add_readables(added, kind)

    def kind_of(self, device: Device) -> Kind:
        """Return the kind ``device`` was registered with (``OMITTED`` if it never was)."""
        entry = self._kinds().get(id(device))
        return entry[1] if entry else Kind.OMITTED

    def _kinds(self) -> dict[int, tuple[Device, Kind]]:
        table: dict[int, tuple[Device, Kind]] = self.__dict__.setdefault("_kind_table", {})
        return table

    async def read(self) -> dict[str, Reading[Any]]:
        """Read the HINTED and NORMAL children."""
        now = self._read_now()
        return now if now is not None else await _merge(self._sources("event", "read"))

    def _read_now(self) -> dict[str, Reading[Any]] | None:
        """``read()`` done synchronously when every event child is soft, else ``None``.

        A scan of soft devices reads them at every point: this spares a coroutine per child.
        """
        readers = self._now_sources()
        if readers is None:
            return None
        merged: dict[str, Reading[Any]] = {}
        for read_now in readers:
            part = read_now()
            if part is None:  # a signal whose backend is not soft (now)
                return None
            merged.update(part)
        return merged

    def _now_sources(self) -> list[ReadNow] | None:
        """The event children's ``_read_now`` methods; ``None`` if one child never has it.

        A child without ``_read_now``, or whose class overrides ``read``, must be read its own
        way, so the device never tries (cached until children are registered again).
        """
        cached: list[ReadNow] | bool | None = self.__dict__.get("_now_cache", False)
        if cached is False:
            children = [obj for _, obj in self._sources("event", "read")]
            plain = all(
                hasattr(obj, "_read_now") and type(obj).read in _PLAIN_READS for obj in children
            )
            cached = [obj._read_now for obj in children] if plain else None
            self.__dict__["_now_cache"] = cached
        return cached  # type: ignore[return-value]

    async def describe(self) -> dict[str, DataKey]:
        """Describe the HINTED and NORMAL children."""
        return await _merge(self._sources("event", "describe"))

    async def read_configuration(self) -> dict[str, Reading[Any]]:
        """Read the CONFIG children (and the configuration of child devices)."""
        return await _merge(self._sources("config", "read"))

    async def describe_configuration(self) -> dict[str, DataKey]:
        """Describe the CONFIG children (and the configuration of child devices)."""
        return await _merge(self._sources("config", "describe"))

    @property
    def hints(self) -> Hints:
        """Suggest plotting the HINTED signals (and the hints of HINTED child devices)."""
        fields: list[str] = []
        for device, kind in self._kinds().values():
            if kind is not Kind.HINTED:
                continue
            if isinstance(device, SignalR):
                fields.append(device.name)
            else:
                fields.extend(getattr(device, "hints", {}).get("fields", []))
        return {"fields": fields}

    def stage(self) -> Status[None]:
        """Nothing to prepare by default: return a finished status."""
        return Status.succeeded(None, name=self.name, action="stage()")

    def unstage(self) -> Status[None]:
        """Nothing to clean up by default: return a finished status."""
        return Status.succeeded(None, name=self.name, action="unstage()")

    def _sources(self, group: str, verb: str) -> list[Source]:
        """The ``(bound method, child)`` pairs to call for ``verb`` (cached until re-registered)."""
        cache: dict[tuple[str, str], list[Source]] = self.__dict__.setdefault("_source_cache", {})
        sources = cache.get((group, verb))
        if sources is None:
            children = self._event_children() if group == "event" else self._config_children()
            sources = [(getattr(obj, verb + suffix), obj) for obj, suffix in children]
            cache[group, verb] = sources
        return sources

    def _event_children(self) -> list[tuple[Any, str]]:
        """``(object, method suffix)``: signals and devices read in each event."""
        found: list[tuple[Any, str]] = []
        for device, kind in self._kinds().values():
            if kind in _EVENT_KINDS and hasattr(device, "read"):
                found.append((device, ""))
        return found

    def _config_children(self) -> list[tuple[Any, str]]:
        """``(object, method suffix)``: what goes into ``read_configuration``."""
        found: list[tuple[Any, str]] = []
        for device, kind in self._kinds().values():
            if kind is Kind.CONFIG and hasattr(device, "read"):
                found.append((device, ""))
            elif kind in _EVENT_KINDS and _has_own_configuration(device):
                found.append((device, "_configuration"))
        return found

    def _reads_instantly(self) -> bool:
        """Whether every event child reads without I/O, so reads need no concurrency."""
        return all(_instant(obj) for _, obj in self._sources("event", "read"))


def _has_own_configuration(device: Any) -> bool:
    return not isinstance(device, SignalR) and hasattr(device, "read_configuration")


def _instant(device: Any) -> bool:
    check = getattr(device, "_reads_instantly", None)
    return bool(check is not None and check())


async def _merge(sources: list[Source]) -> dict[str, Any]:
    """Call each source and merge the dicts: in turn when all are in memory, else concurrently."""
    if len(sources) == 1:
        return dict(await sources[0][0]())
    merged: dict[str, Any] = {}
    if all(_instant(obj) for _, obj in sources):
        for fetch, _ in sources:
            merged.update(await fetch())
        return merged
    for part in await asyncio.gather(*(fetch() for fetch, _ in sources)):
        merged.update(part)
    return merged


_PLAIN_READS = (StandardReadable.read, SignalR.read)
"""The ``read`` methods that ``_read_now`` does synchronously (subclasses may override them)."""

"""Every property of a Micro-Manager device as a typed skyscope signal.

``device.properties["Exposure"]`` is a ``SignalRW[float]`` (a ``SignalR`` when the property is
read-only) that checks type, limits and allowed values before writing, describes them in its
data key, and hears the core's ``propertyChanged`` events. Signal names replace characters a
data key cannot hold: ``scope-camera-properties-Exposure``, ``…-Transpose_MirrorX``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from .._device import Device
from .._signal import SignalR, SignalRW
from ._backend import CoreSignalBackend, CoreValue
from ._link import CoreLink
from ._property_info import PropertyInfo

_UNSAFE = re.compile(r"[^A-Za-z0-9_]+")


def property_value(info: PropertyInfo) -> CoreValue[Any]:
    """Describe how the property ``info`` is read, written and announced."""
    device, name = info.device, info.name

    def read(core: Any) -> Any:
        return core.getProperty(device, name)

    def write(core: Any, value: Any) -> None:
        core.setProperty(device, name, value)

    choices = [str(v) for v in info.allowed] if info.datatype is str and info.allowed else None
    return CoreValue(
        datatype=info.datatype,
        source=f"mm://{device}/{name}",
        read=read,
        convert=info.convert,
        write=None if info.read_only else write,
        check=info.check,
        topic=("property", device, name),
        busy=(device,),
        limits=info.limits,
        choices=choices,
        read_only_reason=f"{info.where} is read-only",
    )


def property_signal(link: CoreLink, info: PropertyInfo) -> SignalR[Any]:
    """Make the signal of one property: read-write, or read-only if the core says so."""
    backend = CoreSignalBackend(link, property_value(info))
    return SignalR(backend) if info.read_only else SignalRW(backend)


def signal_name(name: str) -> str:
    """Return ``name`` with each run of characters other than letters, digits, ``_`` as ``_``."""
    return _UNSAFE.sub("_", name).strip("_") or "property"


class MMProperties(Device, Mapping[str, SignalR[Any]]):
    """A device's properties by their Micro-Manager names, each a typed signal."""

    def __init__(self, link: CoreLink, infos: tuple[PropertyInfo, ...], name: str = "") -> None:
        """Make one signal per property in ``infos``."""
        self.infos = {info.name: info for info in infos}
        self._signals: dict[str, SignalR[Any]] = {}
        taken: set[str] = set()
        for info in infos:
            signal = property_signal(link, info)
            self._signals[info.name] = signal
            self._adopt(_unique(signal_name(info.name), taken), signal)
        super().__init__(name)

    def __getitem__(self, name: str) -> SignalR[Any]:
        """Return the signal of the property ``name``, or say which properties there are."""
        try:
            return self._signals[name]
        except KeyError:
            raise KeyError(
                f"{self.name or 'the device'} has no property {name!r}; it has {sorted(self)}"
            ) from None

    def __iter__(self) -> Iterator[str]:
        """Iterate over the property names."""
        return iter(self._signals)

    def __len__(self) -> int:
        """How many properties there are."""
        return len(self._signals)

    def writable(self, name: str) -> SignalRW[Any]:
        """Return the signal of ``name`` if it can be set; refuse a read-only property clearly."""
        signal = self[name]
        if not isinstance(signal, SignalRW):
            raise PermissionError(f"{self.infos[name].where} is read-only: it cannot be set")
        return signal

    def __eq__(self, other: object) -> bool:
        """Devices are equal only to themselves."""
        return self is other

    def __hash__(self) -> int:
        """Hash by identity (bluesky keeps devices in sets)."""
        return id(self)


def _unique(name: str, taken: set[str]) -> str:
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name}_{number}", number + 1
    taken.add(candidate)
    return candidate

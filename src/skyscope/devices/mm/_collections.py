"""Named collections of devices in a microscope's tree: devices by label, groups by name.

A Micro-Manager label or group name may hold characters a data key cannot (``"LED 1"``), so
the collection keeps the real names for lookups and gives each child a safe attribute name.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Generic, TypeVar

from .._device import Device
from ._properties import signal_name

D = TypeVar("D", bound=Device)


class NamedDevices(Device, Mapping[str, D], Generic[D]):
    """Devices of one kind by their Micro-Manager names (labels, or group names)."""

    what = "device"
    """What the names are, for the error of an unknown one."""

    def __init__(self, members: Mapping[str, D], name: str = "") -> None:
        """Adopt ``members`` under safe versions of their names."""
        self._members = dict(members)
        taken: set[str] = set()
        for key, member in self._members.items():
            attr = signal_name(key)
            while attr in taken:
                attr += "_"
            taken.add(attr)
            self._adopt(attr, member)
        super().__init__(name)

    def __getitem__(self, key: str) -> D:
        """Return the member named ``key``, or say which names there are."""
        try:
            return self._members[key]
        except KeyError:
            raise KeyError(f"no {self.what} {key!r}; there are {sorted(self._members)}") from None

    def __iter__(self) -> Iterator[str]:
        """Iterate over the names."""
        return iter(self._members)

    def __len__(self) -> int:
        """How many members there are."""
        return len(self._members)

    def __eq__(self, other: object) -> bool:
        """Devices are equal only to themselves."""
        return self is other

    def __hash__(self) -> int:
        """Hash by identity (bluesky keeps devices in sets)."""
        return id(self)


class DeviceSet(NamedDevices[D]):
    """Devices by Micro-Manager label."""

    what = "Micro-Manager device labelled"


class GroupSet(NamedDevices[D]):
    """Configuration groups by name."""

    what = "configuration group"

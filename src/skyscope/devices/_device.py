"""``Device``: a tree of signals and child devices, named from its attributes, connected at once.

The naming rule: a child's name is its parent's name, a dash, and the attribute it is stored
under (``scope.stage.x`` → ``scope-stage-x``). Public attributes holding a ``Device`` are the
children; private ones (``_name``) are plain references. ``connect()`` connects every signal in the
tree concurrently and raises one ``NotConnectedError`` listing each signal that failed, and why.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

from ._errors import NotConnectedError

DEFAULT_TIMEOUT = 10.0
"""Seconds a connect (or a signal put) may take before we give up."""

D = TypeVar("D", bound="Device")


class Device:
    """A named node of a device tree; public ``Device`` attributes are its children."""

    _name: str = ""
    _parent: Device | None = None

    def __init__(self, name: str = "") -> None:
        """Name the device (and so its subtree); an empty name can be given later by a parent."""
        if name:
            self.set_name(name)

    @property
    def name(self) -> str:
        """The device's name, e.g. ``scope-stage-x``."""
        return self._name

    @property
    def parent(self) -> Device | None:
        """The device this one is an attribute of, or ``None`` at the top of a tree."""
        return self._parent

    def set_name(self, name: str) -> None:
        """Rename this device and its whole subtree by the naming rule."""
        self._name = name
        for attr, child in self.children():
            child.set_name(f"{name}-{attr}" if name else "")

    def children(self) -> Iterator[tuple[str, Device]]:
        """Yield ``(attribute, child)`` for each child device, in the order they were added."""
        yield from self.__dict__.get("_children", {}).items()

    def __setattr__(self, attr: str, value: Any) -> None:
        """Adopt a ``Device`` stored under a public attribute as a child, and name it."""
        if not attr.startswith("_") and isinstance(value, Device):
            self._adopt(attr, value)
        object.__setattr__(self, attr, value)

    def _adopt(self, attr: str, child: Device) -> None:
        if child is self:
            raise ValueError(f"{self!r} cannot be its own child ({attr!r})")
        if callable(getattr(type(self), attr, None)):
            raise AttributeError(
                f"{type(self).__name__}.{attr} is a method (e.g. of a bluesky protocol): a "
                "child device stored there would hide it; store the child under another name"
            )
        self.__dict__.setdefault("_children", {})[attr] = child
        child._parent = self
        if self._name:
            child.set_name(f"{self._name}-{attr}")

    async def connect(self, mock: bool = False, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Connect every signal below, concurrently; raise one error listing all that failed.

        With ``mock=True`` every signal gets a mock backend instead (see ``set_mock_value``).
        """
        children = [child for _, child in self.children()]
        results = await asyncio.gather(
            *(child.connect(mock=mock, timeout=timeout) for child in children),
            return_exceptions=True,
        )
        errors: dict[str, BaseException] = {}
        for child, result in zip(children, results, strict=True):
            if isinstance(result, NotConnectedError):
                errors.update(result.errors)
            elif isinstance(result, Exception):
                errors[child.name or repr(child)] = result
            elif isinstance(result, BaseException):
                raise result
        if errors:
            raise NotConnectedError(errors)

    def __repr__(self) -> str:
        """Show the class and the name, e.g. ``<SoftMotor scope-stage-x>``."""
        return f"<{type(self).__name__} {self._name or '(unnamed)'}>"


class DeviceVector(Device, Mapping[int, D]):
    """Numbered children of one kind (filter slots, camera channels): ``name-1``, ``name-2``."""

    def __init__(self, children: Mapping[int, D], name: str = "") -> None:
        """Adopt ``children`` under their numbers, then name the tree."""
        self._items = dict(children)
        for number, child in self._items.items():
            self._adopt(str(number), child)
        super().__init__(name)

    def __getitem__(self, number: int) -> D:
        """Return the child with this number."""
        return self._items[number]

    def __iter__(self) -> Iterator[int]:
        """Iterate over the numbers."""
        return iter(self._items)

    def __len__(self) -> int:
        """How many children there are."""
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        """Devices are equal only to themselves (they are hardware, not values)."""
        return self is other

    def __hash__(self) -> int:
        """Hash by identity, so vectors can go in sets (bluesky keeps staged devices in one)."""
        return id(self)

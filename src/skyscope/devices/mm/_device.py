"""``MMDevice``: what every skyscope device over a Micro-Manager device has.

Its ``label`` in the core, its ``properties`` (each a typed signal, not read by default: pick the
ones a run should record with ``add_readables``), and a ``connect()`` that first makes sure the
label is loaded, naming the devices that are if it is not.
"""

from __future__ import annotations

from .._device import DEFAULT_TIMEOUT
from .._errors import NotConnectedError
from .._readable import StandardReadable
from ._link import CoreLink, check_label
from ._properties import MMProperties
from ._property_info import PropertyInfo


class MMDevice(StandardReadable):
    """A device of a Micro-Manager core, known by its label."""

    device_kind = "device"
    """What the device is, for messages ("camera", "XY stage"…)."""

    def __init__(
        self, link: CoreLink, label: str, properties: tuple[PropertyInfo, ...], name: str = ""
    ) -> None:
        """Wrap the device ``label`` of ``link``'s core, with its ``properties`` as signals."""
        self._link = link
        self._label = label
        self.properties = MMProperties(link, properties)
        super().__init__(name)

    @property
    def label(self) -> str:
        """The device's label in the Micro-Manager core (``"Camera"``, ``"Objective"``…)."""
        return self._label

    @property
    def link(self) -> CoreLink:
        """The core this device talks to, through its worker thread."""
        return self._link

    async def connect(self, mock: bool = False, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Check the label is loaded in the core, then connect every signal below."""
        if not mock:
            try:
                await self._link.call(check_label, self._link.core, self._label, self.device_kind)
            except KeyError as error:
                raise NotConnectedError({self.name or self._label: error}) from error
        await super().connect(mock=mock, timeout=timeout)

    def __repr__(self) -> str:
        """Show the class, the name and the label."""
        return f"<{type(self).__name__} {self.name or '(unnamed)'} label={self._label!r}>"

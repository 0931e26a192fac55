"""``MMMicroscope``: a Micro-Manager configuration as the microscope skyscope's plans drive.

``scope.camera``, ``scope.xy`` (with ``x`` and ``y``), ``scope.focus``, ``scope.filter_wheel``
(the channel configuration group: ``set("DAPI")``), ``scope.objective`` (the turret) and
``scope.shutter`` are the parts ``mda``, the autofocus, tiling and live view use; every other
device is in ``scope.devices`` by label, every other group in ``scope.groups`` by name.
``pixel_size_um`` follows the turret and the binning: it is refreshed whenever skyscope
switches a state device or a preset, and whenever the core announces a change.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, Self

from .._device import DEFAULT_TIMEOUT, Device
from .._status import Status
from ._camera import MMCamera
from ._collections import DeviceSet, GroupSet
from ._config_group import MMConfigGroup
from ._device import MMDevice
from ._events import Topic
from ._focus import MMFocusStage
from ._link import CoreLink
from ._pixel_size import pixel_devices, pixel_size_um
from ._shutter import MMShutter
from ._state import MMStateDevice
from ._xy_stage import MMXYStage


class MMMicroscope(Device):
    """A microscope over one Micro-Manager core, shaped as ``skyscope.plans.MicroscopeLike``."""

    def __init__(
        self,
        link: CoreLink,
        *,
        camera: MMCamera | None = None,
        xy: MMXYStage | None = None,
        focus: MMFocusStage | None = None,
        filter_wheel: MMConfigGroup | None = None,
        objective: MMStateDevice | None = None,
        shutter: MMShutter | None = None,
        devices: Mapping[str, MMDevice] | None = None,
        groups: Mapping[str, MMConfigGroup] | None = None,
        name: str = "scope",
        owns_core: bool = False,
    ) -> None:
        """Assemble the parts; ``owns_core``: ``close()`` unloads the core's devices."""
        self._link = link
        self._owns_core = owns_core
        self._pixel_size_um = 0.0
        self._forget_events: Any = None
        self._refresh_pending = False
        self._refresh_again = False
        roles = {"camera": camera, "xy": xy, "focus": focus, "filter_wheel": filter_wheel,
                 "objective": objective, "shutter": shutter}  # fmt: skip
        for role, part in roles.items():
            if part is not None:
                setattr(self, role, part)
        self.devices = DeviceSet(dict(devices or {}))
        self.groups = GroupSet(dict(groups or {}))
        for part in self._switchers():
            part.after_change.append(self.refresh_pixel_size)
        super().__init__(name)

    @property
    def link(self) -> CoreLink:
        """The core, its worker thread and its events."""
        return self._link

    @property
    def core(self) -> Any:
        """The ``CMMCorePlus`` itself: use it only through ``await scope.link.call(...)``."""
        return self._link.core

    @property
    def pixel_size_um(self) -> float:
        """The pixel size at the sample (µm) for the objective and binning in use; 0: unknown."""
        return self._pixel_size_um

    async def refresh_pixel_size(self) -> float:
        """Ask the core for the pixel size now (on the worker) and remember it."""
        self._pixel_size_um = await self._link.call(pixel_size_um, self._link.core)
        return self._pixel_size_um

    def device(self, label: str) -> MMDevice:
        """Return the skyscope device of the Micro-Manager device ``label``, in any role."""
        for part in (getattr(self, r, None) for r in ("camera", "xy", "focus", "objective",
                                                        "shutter")):  # fmt: skip
            if isinstance(part, MMDevice) and part.label == label:
                return part
        return self.devices[label]

    def group(self, name: str) -> MMConfigGroup:
        """Return the configuration group ``name`` (the channel group included)."""
        wheel = getattr(self, "filter_wheel", None)
        if isinstance(wheel, MMConfigGroup) and wheel.group == name:
            return wheel
        return self.groups[name]

    async def connect(self, mock: bool = False, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Connect every part, learn the pixel size, and follow the core's changes to it."""
        await super().connect(mock=mock, timeout=timeout)
        if mock:
            return
        await self.refresh_pixel_size()
        if self._forget_events is not None:
            self._forget_events()
        devices = await self._link.call(pixel_devices, self._link.core)

        def sways_pixel_size(topic: Topic) -> bool:
            return topic[0] == "pixel_size" or (topic[0] == "property" and topic[1] in devices)

        self._forget_events = self._link.listen_all(self._on_core_event, sways_pixel_size)

    def _on_core_event(self, topic: Topic, value: Any) -> None:
        """Re-read the pixel size after a change (once more if changes came meanwhile)."""
        if self._link.worker.closed:
            return
        if self._refresh_pending:
            self._refresh_again = True
            return
        self._refresh_pending = True
        core = self._link.core
        self._link.worker.submit(lambda: pixel_size_um(core), self._remember_pixel_size,
                                 asyncio.get_running_loop())  # fmt: skip

    def _remember_pixel_size(self, size: float) -> None:
        self._pixel_size_um = size
        self._refresh_pending = False
        if self._refresh_again:
            self._refresh_again = False
            self._on_core_event(("pixel_size",), None)

    def _switchers(self) -> list[MMStateDevice | MMConfigGroup]:
        parts: list[Any] = [getattr(self, "objective", None), getattr(self, "filter_wheel", None)]
        parts += list(self.devices.values()) + list(self.groups.values())
        return [p for p in parts if isinstance(p, MMStateDevice | MMConfigGroup)]

    # --- bluesky stages the root of a tree: the camera is what needs staging -------------------

    def stage(self) -> Status[None]:
        """Stage the camera (open its file, if it writes one)."""
        return Status(self._in_camera("stage"), name=self.name, action="stage()")

    def unstage(self) -> Status[None]:
        """Unstage the camera: stop a running sequence and close its file."""
        return Status(self._in_camera("unstage"), name=self.name, action="unstage()")

    async def _in_camera(self, verb: str) -> None:
        camera = getattr(self, "camera", None)
        if camera is not None:
            await getattr(camera, verb)()

    async def close(self) -> None:
        """Stop the camera, stop following the core; unload its devices if this built it."""
        camera = getattr(self, "camera", None)
        if camera is not None and not self._link.worker.closed:
            await camera.unstage()
        if self._forget_events is not None:
            self._forget_events()
            self._forget_events = None
        if self._owns_core and not self._link.worker.closed:
            await self._link.call(self._link.core.unloadAllDevices)
        self._link.close()

    async def __aenter__(self) -> Self:
        """Use the microscope in ``async with``: closed at the end."""
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Close the microscope."""
        await self.close()

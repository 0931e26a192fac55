"""The instrument an MDA ran on, read into its ``baseline`` stream at the start and the end.

The stage, focus, objective, filter wheel, light source and shutter are read as they are (each
a readable device, when the microscope has it); ``Optics`` adds what no device reads — the
objective's magnification and numerical aperture, the pixel size, the channel's emission — and
``CameraSettings`` the camera's configuration (exposure, gain, binning, ROI ...). What a
microscope does not expose is left out rather than guessed.
"""

from __future__ import annotations

import math
import time
from typing import Any

from ..documents import DataKey, Reading
from ._mda_record import Standalone
from ._scope_protocol import MicroscopeLike

_PARTS = ("xy", "focus", "objective", "filter_wheel", "light", "shutter")
"""The microscope's parts read as they are, in this order, when present and readable."""


_OBJECTIVE_FIELDS = ("magnification", "numerical_aperture", "immersion_index")
_CHANNEL_FIELDS = ("emission_um",)


class Optics(Standalone):
    """Objective magnification and NA, pixel size and channel emission, looked up when read."""

    def __init__(self, scope: Any) -> None:
        """Read what ``scope`` tells of its optics (each field only if its parts tell it)."""
        super().__init__(f"{scope.name}-optics")
        self._scope = scope
        self._objective = _catalogued(getattr(scope, "objective", None), "objectives")
        self._channel = _catalogued(getattr(scope, "filter_wheel", None), "channels")
        self.fields = [
            *(f for f in _OBJECTIVE_FIELDS if _has_number(self._objective, f)),
            *(["pixel_size_um"] if hasattr(scope, "pixel_size_um") else []),
            *(f for f in _CHANNEL_FIELDS if _has_number(self._channel, f)),
        ]

    async def read(self) -> dict[str, Reading[Any]]:
        """Every field as it is now (the objective and channel in place now)."""
        objective = await _selected(getattr(self._scope, "objective", None), self._objective)
        channel = await _selected(getattr(self._scope, "filter_wheel", None), self._channel)
        values = {
            **{f: getattr(objective, f, None) for f in _OBJECTIVE_FIELDS},
            "pixel_size_um": getattr(self._scope, "pixel_size_um", None),
            **{f: getattr(channel, f, None) for f in _CHANNEL_FIELDS},
        }
        now = time.time()
        return {self._key(f): {"value": _number(values[f]), "timestamp": now} for f in self.fields}

    async def describe(self) -> dict[str, DataKey]:
        """Numbers, with units where they have some (NaN where a part cannot tell)."""
        keys: dict[str, DataKey] = {}
        for field in self.fields:
            key: DataKey = {"source": f"plan://{self._name}", "dtype": "number", "shape": []}
            if field.endswith("_um"):
                key["units"] = "um"
            keys[self._key(field)] = key
        return keys

    def _key(self, field: str) -> str:
        return f"{self._name}-{field}"


class CameraSettings(Standalone):
    """The camera's configuration, read as a reading (the baseline holds settings as data)."""

    def __init__(self, camera: Any) -> None:
        """Read ``camera.read_configuration()`` when read."""
        super().__init__(f"{camera.name}-settings")
        self._camera = camera

    async def read(self) -> dict[str, Reading[Any]]:
        """The camera's configuration readings."""
        return dict(await self._camera.read_configuration())

    async def describe(self) -> dict[str, DataKey]:
        """The camera's configuration data keys."""
        return dict(await self._camera.describe_configuration())


def baseline_devices(scope: MicroscopeLike) -> list[Any]:
    """What an MDA reads into its baseline: the microscope's readable parts and its optics."""
    parts = [getattr(scope, name, None) for name in _PARTS]
    readable = [p for p in parts if callable(getattr(p, "read", None)) and hasattr(p, "describe")]
    camera = scope.camera
    if callable(getattr(camera, "read_configuration", None)):
        readable.append(CameraSettings(camera))
    optics = Optics(scope)
    return [*readable, optics] if optics.fields else readable


def _catalogued(selector: Any, catalogue: str) -> tuple[Any, ...]:
    """What sits at each position of ``selector`` (e.g. the turret's objectives), if it says."""
    entries = tuple(getattr(selector, catalogue, None) or ())
    positions = tuple(getattr(selector, "positions", ()) or ())
    return entries if len(entries) == len(positions) else ()


async def _selected(selector: Any, entries: tuple[Any, ...]) -> Any:
    """The entry at ``selector``'s current position, or None."""
    if not entries:
        return None
    where = await selector.locate()
    names = list(selector.positions)
    return entries[names.index(where["readback"])] if where["readback"] in names else None


def _has_number(entries: tuple[Any, ...], field: str) -> bool:
    return bool(entries) and all(_is_number(getattr(e, field, None)) for e in entries)


def _number(value: Any) -> float:
    return float(value) if _is_number(value) else math.nan


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)

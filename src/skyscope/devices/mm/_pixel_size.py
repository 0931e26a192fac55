"""The pixel size at the sample, from the core's pixel-size configurations.

The core resolves the configuration matching the current state of the devices it names (the
objective turret, usually) and scales it by the camera's binning. With pure-Python devices
``UniMMCore`` cannot match (its C++ side does not see their properties); then skyscope matches
the configurations itself, the same way, so the pixel size follows the turret there too.
"""

from __future__ import annotations

from typing import Any

_MAGNIFIER = 13
"""Micro-Manager's device type number of a magnifier (``DeviceType.MagnifierDevice``)."""


def pixel_size_um(core: Any) -> float:
    """Return the current pixel size in µm (0 when no configuration matches), on the worker."""
    size = float(core.getPixelSizeUm())
    if size > 0:
        return size
    config = matching_pixel_config(core)
    if config is None:
        return 0.0
    return float(core.getPixelSizeUmByID(config)) * _binning(core) / _magnification(core)


def pixel_devices(core: Any) -> frozenset[str]:
    """Return the devices whose changes may change the pixel size (on the worker).

    Those named in any pixel-size configuration, the current camera (its binning) and any
    magnifier.
    """
    devices = {str(core.getCameraDevice())}
    for config in core.getAvailablePixelSizeConfigs():
        devices.update(str(setting[0]) for setting in core.getPixelSizeConfigData(config))
    devices.update(str(label) for label in core.getLoadedDevicesOfType(_MAGNIFIER))
    return frozenset(devices - {""})


def matching_pixel_config(core: Any) -> str | None:
    """Return the first pixel-size configuration whose every setting matches the devices now."""
    for config in core.getAvailablePixelSizeConfigs():
        settings = list(core.getPixelSizeConfigData(config))
        if all(_matches(core.getProperty(dev, prop), value) for dev, prop, value in settings):
            return str(config)
    return None


def _matches(current: Any, wanted: Any) -> bool:
    """Compare property values as the core does, numbers as numbers ("50.0000" == 50)."""
    if str(current) == str(wanted):
        return True
    try:
        return float(current) == float(wanted)
    except (TypeError, ValueError):
        return False


def _binning(core: Any) -> float:
    camera = core.getCameraDevice()
    if camera and core.hasProperty(camera, "Binning"):
        try:
            return float(core.getProperty(camera, "Binning"))
        except (TypeError, ValueError):  # e.g. "2x2" on some adapters
            return float(str(core.getProperty(camera, "Binning")).split("x")[0])
    return 1.0


def _magnification(core: Any) -> float:
    factor = float(core.getMagnificationFactor())
    return factor if factor > 0 else 1.0

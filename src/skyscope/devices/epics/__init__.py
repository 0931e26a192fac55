"""skyscope.devices.epics: EPICS Channel Access signals and devices, through aioca."""

from ._ad_camera import AdCamera
from ._ad_parts import AdDriver, AdImagePlugin, ImageMode, as_image, pixel_dtype
from ._backend import CaSignalBackend
from ._channels import purge_channels
from ._motor import EpicsMotor
from ._signals import epics_signal_r, epics_signal_rw, epics_signal_x

__all__ = [
    "AdCamera",
    "AdDriver",
    "AdImagePlugin",
    "CaSignalBackend",
    "EpicsMotor",
    "ImageMode",
    "as_image",
    "epics_signal_r",
    "epics_signal_rw",
    "epics_signal_x",
    "pixel_dtype",
    "purge_channels",
]

"""skyscope.devices.mm: Micro-Manager devices through pymmcore-plus (the ``mm`` extra).

``build_microscope(core_or_cfg)`` turns a loaded ``CMMCorePlus`` (or ``UniMMCore``), or a
Micro-Manager ``.cfg`` file, into the microscope skyscope's plans drive: ``mda(sequence, scope)``
runs on it unchanged. Every device is behind skyscope's protocols (camera, stages, state
devices, shutters, configuration groups), every property a typed signal, and every call to the
core runs on one worker thread, never on the event loop.
"""

from ._backend import CoreSignalBackend, CoreValue
from ._builder import build_microscope, load_configuration, new_core
from ._camera import MIN_FRAME_TIMEOUT_S, MMCamera
from ._collections import DeviceSet, GroupSet, NamedDevices
from ._config_group import MMConfigGroup
from ._device import MMDevice
from ._events import CoreEvents, Topic
from ._focus import MMFocusStage
from ._inventory import DeviceEntry, Inventory, read_inventory
from ._link import CoreLink
from ._microscope import MMMicroscope
from ._pixel_size import matching_pixel_config, pixel_size_um
from ._properties import MMProperties, property_signal, signal_name
from ._property_info import PropertyInfo, read_property_info
from ._sequence import BufferedSequence, CameraTimeoutError, SequenceEndedError
from ._shutter import MMShutter
from ._state import MMStateDevice
from ._worker import CoreWorker
from ._xy_stage import MMXYAxis, MMXYStage

__all__ = [
    # the microscope
    "build_microscope",
    "MMMicroscope",
    "load_configuration",
    "new_core",
    # devices
    "MMDevice",
    "MMCamera",
    "MMXYStage",
    "MMXYAxis",
    "MMFocusStage",
    "MMStateDevice",
    "MMShutter",
    "MMConfigGroup",
    "MMProperties",
    "DeviceSet",
    "GroupSet",
    "NamedDevices",
    # errors
    "CameraTimeoutError",
    "SequenceEndedError",
    "MIN_FRAME_TIMEOUT_S",
    # the core behind them
    "CoreLink",
    "CoreWorker",
    "CoreEvents",
    "Topic",
    "CoreSignalBackend",
    "CoreValue",
    "BufferedSequence",
    "PropertyInfo",
    "read_property_info",
    "property_signal",
    "signal_name",
    "Inventory",
    "DeviceEntry",
    "read_inventory",
    "pixel_size_um",
    "matching_pixel_config",
]

"""skyscope.devices.mm.demo: a demo microscope of pure-Python Micro-Manager devices.

For pymmcore-plus's ``UniMMCore``, which runs Python device adapters without a Micro-Manager
installation: try skyscope's Micro-Manager devices, the shell and the MDA without hardware, and
test against them. Deterministic: every frame's header says where and how it was taken.
"""

from ._camera import BINNINGS, EXPOSURE_LIMITS_MS, PIXEL_TYPES, DemoCamera
from ._frames import HEADER_BYTES, FrameHeader, read_header, render, write_header
from ._rig import DEMO_CONFIG, PIXEL_SIZES_UM, DemoRig, define_groups, demo_rig
from ._selectors import FILTERS, OBJECTIVES, DemoFilterWheel, DemoObjectiveTurret, DemoShutter
from ._stages import DemoFocusStage, DemoXYStage
from ._world import SHARED_WORLD, DemoWorld

__all__ = [
    # the rig
    "demo_rig",
    "DemoRig",
    "DEMO_CONFIG",
    "define_groups",
    "DemoWorld",
    "SHARED_WORLD",
    # devices
    "DemoCamera",
    "DemoXYStage",
    "DemoFocusStage",
    "DemoFilterWheel",
    "DemoObjectiveTurret",
    "DemoShutter",
    "FILTERS",
    "OBJECTIVES",
    "PIXEL_SIZES_UM",
    "PIXEL_TYPES",
    "BINNINGS",
    "EXPOSURE_LIMITS_MS",
    # frames
    "FrameHeader",
    "read_header",
    "write_header",
    "render",
    "HEADER_BYTES",
]

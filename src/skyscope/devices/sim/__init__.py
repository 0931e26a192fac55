"""skyscope.devices.sim: the simulated widefield fluorescence microscope."""

from ._axis import FocusDrive, PositionCallback, SimAxis, XYStage
from ._camera import SimCamera
from ._frame_source import SimFrames
from ._light import LightCallback, LightSource
from ._microscope import Microscope
from ._model import MicroscopeModel, RenderMode
from ._optics import DEFAULT_CHANNELS, DEFAULT_OBJECTIVES, FLUOROPHORES, Channel, Objective
from ._png import png_bytes, save_png, to_display
from ._render import View, illuminated, render_scene
from ._sample import Sample, SampleSpec
from ._selectors import FilterWheel, IndexCallback, ObjectiveTurret, PositionSelector, Shutter
from ._sensor import BIT_DEPTHS, CameraSettings, SensorSpec
from ._synth import Exposure, FrameSynth, NoiseModel, normal_table

__all__ = [
    # devices
    "Microscope",
    "SimCamera",
    "SimFrames",
    "XYStage",
    "FocusDrive",
    "SimAxis",
    "ObjectiveTurret",
    "FilterWheel",
    "Shutter",
    "PositionSelector",
    "LightSource",
    "PositionCallback",
    "IndexCallback",
    "LightCallback",
    # physics, no devices
    "Sample",
    "SampleSpec",
    "Objective",
    "Channel",
    "FLUOROPHORES",
    "DEFAULT_OBJECTIVES",
    "DEFAULT_CHANNELS",
    "View",
    "render_scene",
    "illuminated",
    "SensorSpec",
    "CameraSettings",
    "BIT_DEPTHS",
    "Exposure",
    "FrameSynth",
    "NoiseModel",
    "normal_table",
    "MicroscopeModel",
    "RenderMode",
    # pictures
    "save_png",
    "png_bytes",
    "to_display",
]

"""skyscope.devices.testing: a loopback test IOC (motors, a camera) and pytest fixtures for it."""

from ._frames import (
    DEFAULT_FRAME_SOURCE,
    FrameFunction,
    PatternFrames,
    PositionedFrames,
    Positions,
    at_positions,
    load_frame_source,
    takes_positions,
)
from ._ioc_options import IocOptions, add_arguments, options_from
from ._loopback import client_env, free_port, free_ports, is_port_free, server_env
from ._test_ioc import TestIOC

__all__ = [
    "DEFAULT_FRAME_SOURCE",
    "FrameFunction",
    "IocOptions",
    "PatternFrames",
    "PositionedFrames",
    "Positions",
    "TestIOC",
    "add_arguments",
    "is_port_free",
    "options_from",
    "at_positions",
    "client_env",
    "free_port",
    "free_ports",
    "load_frame_source",
    "server_env",
    "takes_positions",
]

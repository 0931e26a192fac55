"""skyscope.devices.testing: a loopback test IOC (motors, a camera) and pytest fixtures for it."""

from ._frames import DEFAULT_FRAME_SOURCE, FrameSource, PatternFrames, load_frame_source
from ._ioc_options import IocOptions
from ._loopback import client_env, free_port, free_ports, server_env
from ._test_ioc import TestIOC

__all__ = [
    "DEFAULT_FRAME_SOURCE",
    "FrameSource",
    "IocOptions",
    "PatternFrames",
    "TestIOC",
    "client_env",
    "free_port",
    "free_ports",
    "load_frame_source",
    "server_env",
]

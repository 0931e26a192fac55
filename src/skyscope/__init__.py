"""skyscope: the Bluesky way of running experiments, brought to the microscope, asyncio-native."""

from ._version import __version__

__all__ = ["__version__"]

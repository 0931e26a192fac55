"""The test IOC's server side, for ``skyscope ioc`` and subprocesses (needs caproto).

Kept out of the package ``__init__`` so importing ``skyscope.devices.testing`` never needs
caproto; ``serve(options, on_ready)`` runs the IOC on the running loop until cancelled.
"""

from ._ioc_main import main, serve

__all__ = ["main", "serve"]

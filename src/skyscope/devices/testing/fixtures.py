"""A pytest plugin serving the test IOC on loopback.

Enable it in the root ``conftest.py``, ``pytest_plugins = ["skyscope.devices.testing.fixtures"]``,
or import its fixtures into a ``conftest.py``. Importing this module reserves free ports and
sets the client's ``EPICS_CA_*`` variables for loopback only: libca reads them once, at the first
aioca call, so this must happen first. Fixtures: ``ca_ioc`` (one IOC for the session) and
``ca_restartable_ioc`` (a separate IOC per test, on its own port and prefix, to kill and restart
at will). ``serving(ioc)`` runs any ``TestIOC`` the same way: aioca's channels are purged before
the IOC stops, while the event loop is still open.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator

import pytest_asyncio

from ..epics import purge_channels
from ._ioc_options import IocOptions
from ._loopback import client_env, free_ports
from ._test_ioc import TestIOC

SESSION_PORT, RESTARTABLE_PORT, SIM_PORT, BEACON_PORT = free_ports(4)
"""Each fixture's IOC has its own port (``SIM_PORT``: ``sim_ca_ioc``), so any may run together."""
RESTARTABLE_PREFIX = "SKYSCOPE-R:"

os.environ.update(client_env([SESSION_PORT, RESTARTABLE_PORT, SIM_PORT], BEACON_PORT))


@contextlib.asynccontextmanager
async def serving(ioc: TestIOC) -> AsyncIterator[TestIOC]:
    """Run ``ioc`` meanwhile; then purge aioca's channels (the loop still open) and stop it."""
    ioc.start()
    try:
        yield ioc
    finally:
        purge_channels()
        ioc.close()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def ca_ioc() -> AsyncIterator[TestIOC]:
    """The session's test IOC: motors ``SKYSCOPE:x|y|z`` and a camera at ``SKYSCOPE:``."""
    async with serving(TestIOC(port=SESSION_PORT, beacon_port=BEACON_PORT)) as ioc:
        yield ioc


@pytest_asyncio.fixture(loop_scope="session")
async def ca_restartable_ioc() -> AsyncIterator[TestIOC]:
    """A test's own IOC (motor ``SKYSCOPE-R:x``, no camera) to kill and restart at will."""
    options = IocOptions(prefix=RESTARTABLE_PREFIX, motors=("x",), camera_prefix="")
    async with serving(TestIOC(options, port=RESTARTABLE_PORT, beacon_port=BEACON_PORT)) as ioc:
        yield ioc

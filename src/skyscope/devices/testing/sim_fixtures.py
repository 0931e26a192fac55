"""Pytest fixtures giving users' test suites a connected simulated microscope.

Enable them with ``pytest_plugins = ["skyscope.devices.testing.sim_fixtures"]`` (once the lead
re-exports them there) or import the fixtures into a ``conftest.py``. Each microscope is small
(a 512x512 sensor, 10x objective) so plans run fast, deterministic for ``SIM_SEED``, and is
cleaned up after the test: a running sequence is stopped and the camera's file closed.

``sim_ca_ioc`` serves the test IOC with the simulated microscope's frames on its camera, which
follow its motors x, y, z (in mm, offsets from an in-focus view), on a port of its own (so it
can run in the same test as ``ca_ioc`` and ``ca_restartable_ioc``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest_asyncio

from ...writers import HDF5FrameWriter
from ..sim import Microscope, SensorSpec
from ._ioc_options import IocOptions
from ._test_ioc import TestIOC
from .fixtures import BEACON_PORT, SIM_PORT, serving

SIM_SEED = 0
"""The seed of the fixtures' microscopes: the same sample and noise in every run."""

SIM_SENSOR = SensorSpec(shape=(512, 512))
"""The fixtures' camera sensor: small enough for fast tests."""

SIM_IOC_PREFIX = "SKYSCOPE-SIM:"
"""The PV prefix of ``sim_ca_ioc``: motors ``SKYSCOPE-SIM:x|y|z``, camera ``SKYSCOPE-SIM:cam1:``."""

SIM_IOC_FRAMES: dict[str, object] = {"seed": SIM_SEED, "height": 256, "width": 256}
"""The keyword arguments of ``sim_ca_ioc``'s frame source, ``skyscope.devices.sim:SimFrames``."""

MicroscopeFactory = Callable[..., Awaitable[Microscope]]
"""``await factory(**kwargs)``: a connected ``Microscope(**kwargs)`` cleaned up after the test."""


async def _release(scopes: list[Microscope]) -> None:
    for scope in scopes:
        await scope.camera.stop()
        await scope.camera.unstage()


@pytest_asyncio.fixture(loop_scope="session")
async def sim_microscope_factory() -> AsyncIterator[MicroscopeFactory]:
    """Build connected microscopes with any ``Microscope`` arguments; release them afterwards."""
    made: list[Microscope] = []

    async def build(**kwargs: Any) -> Microscope:
        options: dict[str, Any] = {"seed": SIM_SEED, "sensor": SIM_SENSOR, "objective": 1}
        scope = Microscope(**{**options, **kwargs})
        await scope.connect()
        made.append(scope)
        return scope

    yield build
    await _release(made)


@pytest_asyncio.fixture(loop_scope="session")
async def sim_microscope(sim_microscope_factory: MicroscopeFactory) -> Microscope:
    """A connected simulated microscope whose camera reads frames inline."""
    return await sim_microscope_factory()


@pytest_asyncio.fixture(loop_scope="session")
async def sim_microscope_hdf5(
    sim_microscope_factory: MicroscopeFactory, tmp_path: Path
) -> Microscope:
    """A connected simulated microscope whose camera writes HDF5 files under ``tmp_path``."""
    return await sim_microscope_factory(writer=HDF5FrameWriter(tmp_path))


@pytest_asyncio.fixture(loop_scope="session")
async def sim_ca_ioc() -> AsyncIterator[TestIOC]:
    """A test IOC whose camera serves simulated microscope frames where its motors look."""
    options = IocOptions(
        prefix=SIM_IOC_PREFIX,
        frame_source="skyscope.devices.sim:SimFrames",
        frame_source_kwargs=SIM_IOC_FRAMES,
    )
    async with serving(TestIOC(options, port=SIM_PORT, beacon_port=BEACON_PORT)) as ioc:
        yield ioc

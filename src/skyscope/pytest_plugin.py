"""The pytest plugin for users' own simulation suites.

Enable it in your top-level ``conftest.py`` with ``pytest_plugins = ["skyscope.pytest_plugin"]``
(and pytest-asyncio in auto mode; `pip install "skyscope[pytest]"` brings both). It gives:

- ``engine``: a fresh ``Engine`` with in-memory metadata and no Ctrl-C handling;
- ``run_documents``: every ``(name, doc)`` that ``engine`` emitted, in order;
- ``sim_microscope``, ``sim_microscope_hdf5``, ``sim_microscope_factory``: connected simulated
  microscopes (frames inline, or written to HDF5 under ``tmp_path``);
- ``ca_ioc``, ``ca_restartable_ioc``, ``sim_ca_ioc``: the loopback Channel Access test IOC.

Importing the plugin sets the loopback-only ``EPICS_CA_*`` variables (before any aioca call).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from .devices.testing.fixtures import ca_ioc, ca_restartable_ioc
from .devices.testing.sim_fixtures import (
    sim_ca_ioc,
    sim_microscope,
    sim_microscope_factory,
    sim_microscope_hdf5,
)
from .engine import Engine

__all__ = [
    "ca_ioc",
    "ca_restartable_ioc",
    "engine",
    "run_documents",
    "sim_ca_ioc",
    "sim_microscope",
    "sim_microscope_factory",
    "sim_microscope_hdf5",
]


@pytest.fixture
def run_documents() -> list[tuple[str, Any]]:
    """Every document the ``engine`` fixture emits, in order."""
    return []


@pytest_asyncio.fixture
async def engine(run_documents: list[tuple[str, Any]]) -> AsyncIterator[Engine]:
    """A fresh engine recording its documents; a plan left paused is aborted afterwards."""
    eng = Engine(md={}, handle_sigint=False)
    eng.subscribe(lambda name, doc: run_documents.append((name, doc)))
    yield eng
    if eng.state == "paused":
        await eng.abort("the test ended with the plan paused")

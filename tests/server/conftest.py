"""A queue server over a small, fast simulated microscope, with a catalog in a temporary folder."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from _server_env import sim_environment

from skyscope.broker import Catalog
from skyscope.engine import Engine
from skyscope.server import QueueServer


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
async def catalog(data_dir: Path) -> AsyncIterator[Catalog]:
    with Catalog(data_dir / "catalog.sqlite") as cat:
        yield cat


@pytest.fixture
async def queue_server(catalog: Catalog, data_dir: Path) -> AsyncIterator[QueueServer]:
    engine = Engine({}, handle_sigint=False)
    engine.subscribe(catalog)
    server = QueueServer(sim_environment, engine=engine, store_path=data_dir / "queue.json")
    await server.start()
    yield server
    await server.close()

"""A queue server over a small, fast simulated microscope, with a catalog in a temporary folder."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from _server_env import sim_environment

from skyscope.broker import Catalog
from skyscope.engine import Engine
from skyscope.server import ROLES, ApiKeys, HttpServer, QueueServer, create_app


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


@pytest.fixture
def keys() -> tuple[ApiKeys, dict[str, str]]:
    """Keys for every role (kept in memory), by role."""
    ring = ApiKeys(None)
    return ring, {role: ring.create(role) for role in ROLES}


@pytest.fixture
async def http_url(
    queue_server: QueueServer, keys: tuple[ApiKeys, dict[str, str]]
) -> AsyncIterator[str]:
    """The queue server's API on a free loopback port."""
    http = HttpServer(create_app(queue_server, keys[0]), host="127.0.0.1", port=0)
    await http.start()
    yield http.url
    await http.stop()

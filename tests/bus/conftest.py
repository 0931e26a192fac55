"""Bus fixtures: one JetStream server per session, a fresh stream per test, a catalog URL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import pytest
from _nats_server import NatsServer, delete_stream

from _catalog_backends import backend, catalog_location, new_catalog, postgres
from _system import require_program
from skyscope.devices import SoftDetector


@pytest.fixture(scope="session")
def nats_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServer]:
    """A nats-server with JetStream on a free loopback port, for the whole session."""
    program = require_program("nats-server")
    server = NatsServer(program, tmp_path_factory.mktemp("nats"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def bus(nats_server: NatsServer) -> AsyncIterator[NatsServer]:
    """The server, running, with no documents' stream left by an earlier test."""
    if nats_server.process is None:
        nats_server.start()
    await delete_stream(nats_server.url)
    yield nats_server
    if nats_server.process is None:
        nats_server.start()
    await delete_stream(nats_server.url)


@pytest.fixture
def catalog_url(new_catalog: Callable[[], str]) -> str:
    """Where the catalog lives: an SQLite file, then a PostgreSQL database (each test twice)."""
    return new_catalog()


__all__ = ["backend", "catalog_location", "new_catalog", "postgres"]  # the backends' fixtures


@pytest.fixture
async def det() -> SoftDetector:
    device = SoftDetector("det")
    await device.connect()
    return device

"""Bus fixtures: one JetStream server per session, a fresh stream per test, a catalog URL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from _nats_server import NatsServer, delete_stream

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


@pytest.fixture(params=["sqlite"])
def catalog_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where the catalog lives: a SQLite file now; a PostgreSQL URL joins once that lands."""
    if request.param == "sqlite":
        return str(tmp_path / "catalog.sqlite")
    raise NotImplementedError(request.param)


@pytest.fixture
async def det() -> SoftDetector:
    device = SoftDetector("det")
    await device.connect()
    return device

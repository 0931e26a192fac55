"""A PostgreSQL catalog whose server stops and comes back while an engine acquires into it.

The acquisition runs on the loop with the catalog subscribed (journal first, commits on the
writer thread); mid-run the real server is shut down (``fast``: clients are disconnected;
``immediate``: a crash, with recovery at the next start) and started again 1.5 s later. Every
document the engine emitted must be in the catalog exactly once afterwards, the run must say the
catalog had to retry, and the loop must never have stalled on the database.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import AsyncGenerator, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "plans"))

from _fault_tools import Ticker
from _sim_scope import make_scope, release

from _catalog_backends import POSTGRES_BINARY
from _system import require_program
from skyscope.broker import Catalog
from skyscope.engine import Engine
from skyscope.plans import close_run, open_run, sleep, trigger_and_read

FRAMES = 120
OUTAGE_AT = 30
OUTAGE_S = 1.5
# A loop that waited on the database would stall for the whole outage (>= 1.5 s). Typical figures
# are 20-80 ms (printed); the bound leaves room for a 2-core machine shared by many workers.
STALL_LIMIT_S = 1.0


@pytest.fixture
def server() -> Iterator[Any]:
    """A durable (fsync on) server of its own: this test stops and restarts it."""
    binary = require_program("postgres", POSTGRES_BINARY)
    from _postgres import PostgresServer

    pg = PostgresServer(binary, durable=True)
    try:
        pg.start()
        pg.execute("CREATE DATABASE catalog")
        yield pg
    finally:
        pg.remove()


class Emitted:
    """Every document the engine emitted, by kind: the ground truth."""

    def __init__(self) -> None:
        self.uids: dict[str, list[str]] = {}

    def __call__(self, name: str, doc: Any) -> None:
        self.uids.setdefault(name, []).append(doc["uid"])


async def frames_with_an_outage(camera: Any, outage: Any) -> AsyncGenerator[Any, Any]:
    """One run of :data:`FRAMES` events 20 ms apart; the server goes away before event 30."""
    yield open_run(md={"purpose": "postgres restart"})
    for index in range(FRAMES):
        if index == OUTAGE_AT:
            outage()
        yield trigger_and_read([camera])
        yield sleep(0.02)
    yield close_run()


def stored(url: str, table: str, run_uid: str) -> list[str]:
    """The uids of a run's rows in ``table``, read straight from the database."""
    import psycopg

    column = "uid" if table == "runs" else "run_uid"
    with psycopg.connect(url) as db:
        rows = db.execute(f"SELECT uid FROM {table} WHERE {column} = %s".encode(), (run_uid,))
        return [str(uid) for (uid,) in rows.fetchall()]


@pytest.mark.parametrize("mode", ["fast", "immediate"])
async def test_server_restart_mid_run_keeps_every_document_once(server: Any, mode: str) -> None:
    url = server.url("catalog")
    scope = await make_scope(shape=(32, 32))
    back = threading.Event()

    def restart() -> None:  # on a thread of its own: pg_ctl waits, the loop must not
        server.stop(mode)
        threading.Event().wait(OUTAGE_S)
        server.start()
        back.set()

    engine = Engine(md={}, handle_sigint=False, raise_on_fail=False)
    emitted = Emitted()
    engine.subscribe(emitted)
    with Catalog(url) as catalog:
        engine.subscribe(catalog)
        outage = threading.Thread(target=restart)
        async with Ticker() as ticker:
            result = await engine(frames_with_an_outage(scope.camera, outage.start))
        outage.join(timeout=60)
        assert back.is_set()
        assert catalog.flush(timeout=45)
        run_uid = emitted.uids["start"][0]
        kept = {name: stored(url, table, run_uid) for name, table in TABLES.items()}
        print(
            f"\n{mode}: emitted { ({k: len(v) for k, v in emitted.uids.items()}) }, "
            f"kept { ({k: len(v) for k, v in kept.items()}) }, longest stall "
            f"{ticker.longest * 1000:.1f} ms; result: {' | '.join(result.problems)}"
        )
        for name, uids in kept.items():
            assert sorted(uids) == sorted(emitted.uids[name]), name  # each exactly once
        assert len(emitted.uids["event"]) == FRAMES
        assert catalog[-1].status == "success"
        assert catalog[-1].num_events == FRAMES
    assert result.exit_status == "success"
    assert any("commits failed" in problem for problem in result.problems)
    assert ticker.longest < min(STALL_LIMIT_S, OUTAGE_S)
    await release(scope)


TABLES = {"start": "runs", "descriptor": "descriptors", "event": "events"}

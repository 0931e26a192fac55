"""``CatalogFeed``: the catalog fed through one thread kept across runs, errors still reported.

SQLite only: the feed moves the catalog's calls to a thread and is the same on either backend.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from skyscope.broker import Catalog, CatalogFeed
from skyscope.devices import SoftDetector
from skyscope.engine import Engine
from skyscope.plans import count


async def test_every_run_goes_through_one_kept_thread_never_the_loop(tmp_path: Path) -> None:
    det = SoftDetector("det")
    await det.connect()
    with Catalog(tmp_path / "catalog.sqlite") as catalog:
        callers: list[int] = []
        accept = catalog.accept

        def spy(name: str, doc: Any) -> int:
            callers.append(threading.get_ident())
            return accept(name, doc)

        catalog.accept = spy  # type: ignore[method-assign]
        feed = CatalogFeed(catalog)
        engine = Engine(md={}, handle_sigint=False)
        engine.subscribe(feed)
        first = await engine(count([det], 2))
        second = await engine(count([det], 3))
        feed.close()
        assert not first.problems
        assert not second.problems
        assert [len(catalog[uid]["primary"].read()["det-value"]) for uid in
                (first.run_start_uids[0], second.run_start_uids[0])] == [2, 3]  # fmt: skip
    assert len(callers) == (3 + 2) + (3 + 3)  # start, descriptor and stop, and the events
    assert set(callers) == {callers[0]}
    assert callers[0] != threading.get_ident()


async def test_what_the_catalog_refuses_reaches_the_runs_result(tmp_path: Path) -> None:
    det = SoftDetector("det")
    await det.connect()
    catalog = Catalog(tmp_path / "catalog.sqlite")
    catalog.close()
    feed = CatalogFeed(catalog)
    engine = Engine(md={}, handle_sigint=False)
    engine.subscribe(feed)
    result = await engine(count([det]))
    feed.close()
    assert "is closed" in " ".join(str(problem) for problem in result.problems)

"""A served microscope whose camera writes HDF5 through a ``FrameTap``: the live tests' setup."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _server_env import fast_scope, scope_environment

from skyscope import plans
from skyscope.broker import Catalog
from skyscope.devices.sim import Microscope
from skyscope.engine import Engine
from skyscope.server import (
    ApiKeys,
    Environment,
    FrameTap,
    HttpServer,
    LiveFrames,
    QueueServer,
    create_app,
    live_view,
)
from skyscope.writers import HDF5FrameWriter

PLANS = [plans.count, plans.scan, plans.mv, plans.mvr, plans.sleep, plans.mda, live_view]


async def tapped_scope(
    folder: Path,
    live: LiveFrames,
    shape: tuple[int, int] = (32, 32),
    realtime: bool = False,
    mode: Any = "pattern",
) -> Microscope:
    """A fast simulated microscope whose frames go to ``live`` and to HDF5 files in ``folder``."""
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    tap = FrameTap(HDF5FrameWriter(folder), live, pixel_size_um=lambda: 0.5)
    return await fast_scope(shape, mode=mode, realtime=realtime, writer=tap)


def environment(folder: Path, live: LiveFrames, **scope_options: Any) -> Callable[..., Any]:
    """An environment factory: the tapped microscope's camera and stages, and a few plans."""

    async def open_environment() -> Environment:
        scope = await tapped_scope(folder, live, **scope_options)
        opened = scope_environment(scope, PLANS)
        opened.devices["scope"] = scope  # the microscope as a whole, for mda
        return opened

    return open_environment


@dataclass
class Served:
    """A running server: its URL, keys by role, and its parts."""

    url: str
    keys: dict[str, str]
    server: QueueServer
    catalog: Catalog
    live: LiveFrames

    def ws(self, path: str) -> str:
        """The websocket URL of ``path``."""
        return self.url.replace("http://", "ws://") + path

    def headers(self, role: str = "admin") -> dict[str, str]:
        """The ``Authorization`` header of ``role``'s key."""
        return {"Authorization": f"ApiKey {self.keys[role]}"}


@asynccontextmanager
async def served(folder: Path, **scope_options: Any) -> AsyncIterator[Served]:
    """Serve the tapped microscope, a catalog and the live routes on a free loopback port."""
    live = LiveFrames()
    ring = ApiKeys(None)
    keys = {role: ring.create(role) for role in ("observer", "user", "admin")}
    with Catalog(folder / "catalog.sqlite") as catalog:
        engine = Engine({}, handle_sigint=False)
        engine.subscribe(catalog)
        server = QueueServer(
            environment(folder / "frames", live, **scope_options),
            engine=engine,
            store_path=folder / "queue.json",
        )
        await server.start()
        http = HttpServer(
            create_app(server, ring, catalog=catalog, live_frames=live), host="127.0.0.1", port=0
        )
        await http.start()
        try:
            yield Served(http.url, keys, server, catalog, live)
        finally:
            await http.stop()
            await server.close()


async def run_item(
    served: Served, name: str, args: list[Any], kwargs: dict[str, Any] | None = None
) -> list[str]:
    """Queue a plan over HTTP, run the queue to the end, return the item's run uids."""
    import httpx

    item = {"item_type": "plan", "name": name, "args": args, "kwargs": kwargs or {}}
    async with httpx.AsyncClient(base_url=served.url, headers=served.headers("user")) as client:
        added = (await client.post("/api/queue/item/add", json={"item": item})).json()
        assert added["success"], added["msg"]
        started = (await client.post("/api/queue/start", json={})).json()
        assert started["success"], started["msg"]
        await served.server.wait_idle()
        history = (await client.get("/api/history/get")).json()["items"]
    done = history[-1]
    assert done["item_uid"] == added["item"]["item_uid"]
    assert done["result"]["exit_status"] == "completed", done["result"]
    served.catalog.flush()
    return list(done["result"]["run_uids"])

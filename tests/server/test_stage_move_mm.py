"""Click to move on a Micro-Manager XY stage, whose ``x`` and ``y`` are axes of one device."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from skyscope.devices.mm import MMMicroscope, build_microscope
from skyscope.devices.mm.demo import demo_rig
from skyscope.engine import Engine
from skyscope.server import ApiKeys, Environment, QueueServer, create_app

logging.getLogger("pymmcore-plus").setLevel(logging.CRITICAL)  # no Micro-Manager installed


@pytest.fixture
async def mm_scope() -> AsyncIterator[MMMicroscope]:
    rig = demo_rig()
    scope = await build_microscope(rig.core)
    yield scope
    await scope.close()
    rig.close()
    gc.collect()  # a UniMMCore left holding Python devices can abort the interpreter at exit


async def test_move_by_moves_both_axes_of_one_xy_stage(mm_scope: MMMicroscope) -> None:
    devices: dict[str, Any] = {"x": mm_scope.xy.x, "y": mm_scope.xy.y}

    async def environment() -> Environment:
        return Environment(devices=devices, plans={})

    server = QueueServer(environment, engine=Engine({}, handle_sigint=False))
    await server.start()
    ring = ApiKeys(None)
    transport = httpx.ASGITransport(app=create_app(server, ring))
    header = {"Authorization": f"ApiKey {ring.create('user')}"}
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://x", headers=header) as c:
            x0, y0 = (await mm_scope.xy.locate())["readback"]
            moved = (await c.post("/api/live/move_by", json={"dx_um": 5, "dy_um": -2.5})).json()
    finally:
        await server.close()
    assert moved["success"] is True, moved
    assert moved["position"] == {"x": x0 + 5, "y": y0 - 2.5}
    assert (await mm_scope.xy.locate())["readback"] == pytest.approx((x0 + 5, y0 - 2.5))

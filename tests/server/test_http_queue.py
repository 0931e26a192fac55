"""The queue end to end through HTTP, driven by bluesky-queueserver-api's own client."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import websockets
from bluesky_queueserver_api import BPlan
from bluesky_queueserver_api.http.aio import REManagerAPI

from skyscope.broker import Catalog
from skyscope.server import ApiKeys, QueueServer, create_app


@pytest.fixture
async def manager(http_url: str, keys: tuple[ApiKeys, dict[str, str]]) -> AsyncIterator[Any]:
    api = REManagerAPI(http_server_uri=http_url, status_polling_period=0.05)
    api.set_authorization_key(api_key=keys[1]["user"])
    yield api
    await api.close()


async def test_count_plan_runs_and_lands_in_history_and_catalog(
    manager: Any, catalog: Catalog
) -> None:
    status = await manager.status()
    assert status["manager_state"] == "idle"
    assert status["worker_environment_exists"] is True
    allowed = await manager.plans_allowed()
    assert "count" in allowed["plans_allowed"]
    assert "camera" in (await manager.devices_allowed())["devices_allowed"]
    added = await manager.item_add(BPlan("count", ["camera"], num=3))
    assert added["success"] is True
    assert added["qsize"] == 1
    await manager.queue_start()
    await manager.wait_for_idle(timeout=30)
    history = await manager.history_get()
    (done,) = history["items"]
    assert done["item_uid"] == added["item"]["item_uid"]
    assert done["result"]["exit_status"] == "completed"
    (run_uid,) = done["result"]["run_uids"]
    catalog.flush()
    run = catalog[run_uid]
    assert run.start["plan_name"] == "count"
    assert run.stop is not None
    assert run.stop["num_events"]["primary"] == 3


async def test_refusals_come_back_as_success_false_with_the_reason(manager: Any) -> None:
    manager.request_fail_exceptions_enabled = False
    answer = await manager.item_add(BPlan("count", ["no_such_camera"], num=3))
    assert answer["success"] is False
    assert "unknown device 'no_such_camera'" in answer["msg"]
    answer = await manager.re_resume()
    assert answer["success"] is False
    assert "no plan is paused" in answer["msg"]
    queue = await manager.queue_get()
    assert queue["items"] == []


async def test_queue_edits_through_the_client(manager: Any) -> None:
    a = (await manager.item_add(BPlan("count", ["camera"], num=1)))["item"]
    b = (await manager.item_add(BPlan("count", ["camera"], num=2), pos="front"))["item"]
    await manager.item_move(uid=a["item_uid"], pos_dest="front")
    got = await manager.item_get(pos="back")
    assert got["item"]["item_uid"] == b["item_uid"]
    await manager.item_remove(uid=b["item_uid"])
    batch = await manager.item_add_batch(
        [BPlan("count", ["camera"], num=1), BPlan("scan", ["camera"], "x", 0, 1, num=3)]
    )
    assert [r["success"] for r in batch["results"]] == [True, True]
    queue = await manager.queue_get()
    assert [i["name"] for i in queue["items"]] == ["count", "count", "scan"]
    await manager.queue_clear()
    assert (await manager.queue_get())["items"] == []


async def test_item_update_keeps_the_uid_unless_replace(manager: Any) -> None:
    """As bluesky-queueserver: an edit keeps the item's uid, ``replace=True`` gives a new one."""
    first = (await manager.item_add(BPlan("count", ["camera"], num=1)))["item"]
    other = (await manager.item_add(BPlan("count", ["camera"], num=2)))["item"]
    edit = BPlan("count", ["camera"], num=4).to_dict() | {"item_uid": first["item_uid"]}
    edited = await manager.item_update(edit)
    assert edited["success"] is True
    assert edited["item"]["item_uid"] == first["item_uid"]
    assert edited["item"]["kwargs"] == {"num": 4}
    new = BPlan("scan", ["camera"], "x", 0, 1, num=3).to_dict() | {"item_uid": first["item_uid"]}
    replaced = await manager.item_update(new, replace=True)
    assert replaced["success"] is True
    assert replaced["item"]["item_uid"] not in (first["item_uid"], other["item_uid"])
    queue = (await manager.queue_get())["items"]
    assert [i["item_uid"] for i in queue] == [replaced["item"]["item_uid"], other["item_uid"]]
    assert [i["name"] for i in queue] == ["scan", "count"]
    manager.request_fail_exceptions_enabled = False
    stale = await manager.item_update(edit)  # the old uid is gone from the queue
    assert stale["success"] is False
    assert first["item_uid"] in stale["msg"]


async def test_pause_and_resume_through_the_client(manager: Any) -> None:
    await manager.item_add(BPlan("count", ["camera"], num=200, delay=0.01))
    await manager.queue_start()
    await manager.wait_for_condition(lambda s: s["re_state"] == "running", timeout=30)
    await manager.re_pause("immediate")
    await manager.wait_for_idle_or_paused(timeout=30)
    assert (await manager.status(reload=True))["manager_state"] == "paused"
    await manager.re_stop()
    await manager.wait_for_idle(timeout=30)
    (done,) = (await manager.history_get())["items"]
    assert done["result"]["exit_status"] == "stopped"


async def test_status_websocket_pushes_every_change_in_order(
    http_url: str, keys: tuple[ApiKeys, dict[str, str]]
) -> None:
    ws_url = http_url.replace("http://", "ws://") + "/api/status/ws"
    header = {"Authorization": f"ApiKey {keys[1]['user']}"}
    seqs: list[int] = []
    async with websockets.connect(ws_url, additional_headers=header) as ws:
        first = json.loads(await ws.recv())["msg"]["status"]
        seqs.append(first["seq"])
        async with httpx.AsyncClient(base_url=http_url, headers=header) as client:
            item = {"item_type": "plan", "name": "count", "args": [["camera"]]}
            reply = await client.post("/api/queue/item/add", json={"item": item})
            assert reply.json()["success"] is True
            await client.post("/api/queue/start")
        while True:
            status = json.loads(await asyncio.wait_for(ws.recv(), 30))["msg"]["status"]
            seqs.append(status["seq"])
            if status["items_in_history"] == 1 and status["manager_state"] == "idle":
                break
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))


async def test_a_change_reaches_the_status_listeners_before_its_reply(
    queue_server: QueueServer, keys: tuple[ApiKeys, dict[str, str]]
) -> None:
    """A client that reads the reply and then the status websocket never sees the old status."""
    seen: list[int] = []

    async def listen() -> None:
        async for status in queue_server.feed.listen():
            seen.append(status["seq"])

    listener = asyncio.create_task(listen())
    await asyncio.sleep(0)  # the listener attaches to the feed
    transport = httpx.ASGITransport(app=create_app(queue_server, keys[0]))
    header = {"Authorization": f"ApiKey {keys[1]['user']}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://x", headers=header) as c:
        before = queue_server.feed.seq
        item = {"item_type": "plan", "name": "count", "args": [["camera"]]}
        reply = await c.post("/api/queue/item/add", json={"item": item})
        assert reply.json()["success"] is True
        assert seen[-1:] == [queue_server.feed.seq]  # delivered by the time the reply came
        assert queue_server.feed.seq > before
    listener.cancel()
    await asyncio.gather(listener, return_exceptions=True)

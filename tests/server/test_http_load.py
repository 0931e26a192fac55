"""20 clients editing the queue while its plans run, watched by 50 websocket subscribers.

Every subscriber must see every status change, in order: its sequence numbers run without a
gap from the first it got to the last.
"""

from __future__ import annotations

import asyncio
import json

import httpx
import websockets

from skyscope.server import ApiKeys, QueueServer

CLIENTS = 20
SUBSCRIBERS = 50
ITEMS_EACH = 3


async def test_many_clients_and_subscribers(
    queue_server: QueueServer, http_url: str, keys: tuple[ApiKeys, dict[str, str]]
) -> None:
    header = {"Authorization": f"ApiKey {keys[1]['user']}"}
    ws_url = http_url.replace("http://", "ws://") + "/api/status/ws"
    connected = asyncio.Semaphore(0)
    ran_extra = 0  # extra items the queue started before their client could take them out

    async def subscribe() -> list[int]:
        seqs: list[int] = []
        async with websockets.connect(ws_url, additional_headers=header, max_queue=None) as ws:
            connected.release()
            while True:
                status = json.loads(await asyncio.wait_for(ws.recv(), 45))["msg"]["status"]
                seqs.append(status["seq"])
                # the test's last change: autostart off, once everything has run
                if status["items_in_history"] and not status["queue_autostart_enabled"]:
                    return seqs

    async def edit(client: httpx.AsyncClient) -> None:
        nonlocal ran_extra
        item = {"item_type": "plan", "name": "count", "args": [["camera"]], "kwargs": {"num": 1}}
        for _ in range(ITEMS_EACH):
            reply = (await client.post("/api/queue/item/add", json={"item": item})).json()
            assert reply["success"] is True, reply
            # and one that is taken out again, if the queue has not started it yet
            extra = (await client.post("/api/queue/item/add", json={"item": item})).json()
            removed = await client.post(
                "/api/queue/item/remove", json={"uid": extra["item"]["item_uid"]}
            )
            if not removed.json()["success"]:
                assert "running" in removed.json()["msg"] or "no item" in removed.json()["msg"]
                ran_extra += 1

    subscribers = [asyncio.create_task(subscribe()) for _ in range(SUBSCRIBERS)]
    for _ in range(SUBSCRIBERS):
        await connected.acquire()
    queue_server.queue_autostart(True)
    async with httpx.AsyncClient(base_url=http_url, headers=header, timeout=30) as client:
        await asyncio.gather(*(edit(client) for _ in range(CLIENTS)))
    total = CLIENTS * ITEMS_EACH + ran_extra
    async for status in queue_server.feed.listen(queue_server.status()):
        if status["items_in_history"] == total and status["manager_state"] == "idle":
            break
    queue_server.queue_autostart(False)
    results = await asyncio.gather(*subscribers)
    last = results[0][-1]
    for seqs in results:
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
        assert seqs[-1] == last
    history = queue_server.history_get()["items"]
    assert len(history) == total
    assert all(h["result"]["exit_status"] == "completed" for h in history)

"""The queue server itself, without HTTP: items checked, run in order, history, control."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from _server_env import sim_environment

from skyscope.broker import Catalog
from skyscope.engine import Engine
from skyscope.server import ItemError, QueueError, QueueServer

USER = {"user": "tester", "user_group": "primary"}


def count_item(num: int = 2, **kwargs: Any) -> dict[str, Any]:
    return {
        "item_type": "plan",
        "name": "count",
        "args": [["camera"]],
        "kwargs": {"num": num, **kwargs},
    }


async def wait_for(server: QueueServer, condition: Any) -> dict[str, Any]:
    """The first status (current or pushed) satisfying ``condition``."""
    async for status in server.feed.listen(server.status()):
        if condition(status):
            return status
    raise AssertionError("the status feed ended")


async def test_items_run_in_order_into_history_with_run_uids(
    queue_server: QueueServer, catalog: Catalog
) -> None:
    first = queue_server.queue_item_add(count_item(2), **USER)["item"]
    second = queue_server.queue_item_add(count_item(3), **USER)["item"]
    queue_server.queue_start()
    await queue_server.wait_idle()
    history = queue_server.history_get()["items"]
    assert [h["item_uid"] for h in history] == [first["item_uid"], second["item_uid"]]
    for done, num in zip(history, (2, 3), strict=True):
        result = done["result"]
        assert result["exit_status"] == "completed", result
        (uid,) = result["run_uids"]
        catalog.flush()
        run = catalog[uid]
        assert run.start["queue_item_uid"] == done["item_uid"]
        assert run.stop is not None
        assert run.stop["num_events"]["primary"] == num
    assert queue_server.queue_get()["items"] == []


@pytest.mark.parametrize(
    ("item", "problem"),
    [
        ({"item_type": "plan", "name": "nope", "args": []}, "unknown plan 'nope'"),
        (count_item(nm=2), "unknown parameter 'nm'"),
        ({"item_type": "plan", "name": "count", "args": [["cam"]]}, "unknown device 'cam'"),
        (
            {"item_type": "plan", "name": "count", "args": [["camera"]], "kwargs": {"num": "x"}},
            "num",
        ),
        ({"item_type": "instruction", "name": "jump"}, "unknown instruction 'jump'"),
        ({"item_type": "spell", "name": "count"}, "item_type must be"),
        ([1, 2], "must be a JSON object"),
    ],
)
async def test_invalid_items_are_refused_with_the_problem_named(
    queue_server: QueueServer, item: Any, problem: str
) -> None:
    with pytest.raises(ItemError, match=problem):
        queue_server.queue_item_add(item, **USER)
    assert queue_server.queue_get()["items"] == []


async def test_forbidden_plans_are_refused_for_the_group(queue_server: QueueServer) -> None:
    queue_server.permissions_set(
        {
            "user_groups": {
                "primary": {
                    "allowed_plans": [":.*"],
                    "forbidden_plans": ["count"],
                    "allowed_devices": [":.*"],
                }
            }
        }
    )
    with pytest.raises(ItemError, match="not allowed to user group 'primary'"):
        queue_server.queue_item_add(count_item(), **USER)
    assert "count" not in queue_server.plans_allowed("primary")["plans_allowed"]
    assert "scan" in queue_server.plans_allowed("primary")["plans_allowed"]


async def test_positions_and_moves(queue_server: QueueServer) -> None:
    uids = [
        queue_server.queue_item_add(count_item(n), **USER)["item"]["item_uid"] for n in (1, 2, 3)
    ]
    front = queue_server.queue_item_add(count_item(4), pos="front", **USER)["item"]["item_uid"]
    after = queue_server.queue_item_add(count_item(5), after_uid=uids[0], **USER)["item"][
        "item_uid"
    ]
    order = [i["item_uid"] for i in queue_server.queue_get()["items"]]
    assert order == [front, uids[0], after, uids[1], uids[2]]
    queue_server.queue_item_move(uid=uids[2], pos_dest="front")
    queue_server.queue_item_remove(uid=after)
    order = [i["item_uid"] for i in queue_server.queue_get()["items"]]
    assert order == [uids[2], front, uids[0], uids[1]]
    with pytest.raises(ItemError, match="no item with uid"):
        queue_server.queue_item_remove(uid="missing")


async def test_every_status_change_is_pushed_with_increasing_seq(queue_server: QueueServer) -> None:
    seen: list[int] = []

    async def listen() -> None:
        async for status in queue_server.feed.listen():
            seen.append(status["seq"])
            if status["manager_state"] == "idle" and status["items_in_history"] == 1:
                return

    listener = asyncio.create_task(listen())
    await asyncio.sleep(0)
    first = queue_server.feed.seq
    queue_server.queue_item_add(count_item(2), **USER)
    queue_server.queue_start()
    await listener
    assert seen == list(range(first + 1, first + 1 + len(seen)))
    assert len(seen) >= 4  # added, started, running, finished


async def test_pause_resume_and_abort_through_the_engine(queue_server: QueueServer) -> None:
    queue_server.queue_item_add(count_item(10_000, delay=0.01), **USER)
    queue_server.queue_start()
    await wait_for(queue_server, lambda s: s["re_state"] == "running")
    queue_server.re_pause("immediate")
    await wait_for(queue_server, lambda s: s["manager_state"] == "paused")
    with pytest.raises(QueueError, match="cannot start the queue"):
        queue_server.queue_start()
    queue_server.re_control("resume")
    await wait_for(queue_server, lambda s: s["re_state"] == "running")
    queue_server.re_pause("deferred")
    await wait_for(queue_server, lambda s: s["manager_state"] == "paused")
    queue_server.re_control("abort")
    await queue_server.wait_idle()
    (done,) = queue_server.history_get()["items"]
    assert done["result"]["exit_status"] == "aborted"
    # an aborted item goes back to the front of the queue, to run again
    assert queue_server.queue_get()["items"][0]["name"] == "count"


async def test_queue_stop_instruction_and_request(queue_server: QueueServer) -> None:
    queue_server.queue_item_add(count_item(1), **USER)
    queue_server.queue_item_add({"item_type": "instruction", "name": "queue_stop"}, **USER)
    queue_server.queue_item_add(count_item(1), **USER)
    queue_server.queue_start()
    await queue_server.wait_idle()
    assert len(queue_server.history_get()["items"]) == 1
    assert len(queue_server.queue_get()["items"]) == 1
    with pytest.raises(QueueError, match="not running"):
        queue_server.queue_stop()


async def test_a_failing_plan_is_recorded_with_its_traceback(queue_server: QueueServer) -> None:
    queue_server.queue_item_add({"item_type": "plan", "name": "mv", "args": ["x", 10.0**9]}, **USER)
    queue_server.queue_start()
    await queue_server.wait_idle()
    (done,) = queue_server.history_get()["items"]
    assert done["result"]["exit_status"] == "failed"
    assert done["result"]["msg"]
    assert "Traceback" in done["result"]["traceback"]


async def test_queue_and_history_survive_a_restart_and_a_crash(
    queue_server: QueueServer, catalog: Catalog, data_dir: Any
) -> None:
    queue_server.queue_item_add(count_item(1), **USER)
    queue_server.queue_start()
    await queue_server.wait_idle()
    waiting = queue_server.queue_item_add(count_item(2), **USER)["item"]
    long = queue_server.queue_item_add(count_item(10_000, delay=0.01), pos="front", **USER)
    queue_server.queue_start()
    await wait_for(queue_server, lambda s: s["running_item_uid"] == long["item"]["item_uid"])
    assert queue_server.store is not None
    await queue_server.store.flush()
    # what a process killed at this moment leaves on disk
    crashed = (data_dir / "queue.json").read_bytes()
    await queue_server.close()
    (data_dir / "queue.json").write_bytes(crashed)

    engine = Engine({}, handle_sigint=False)
    engine.subscribe(catalog)
    again = QueueServer(sim_environment, engine=engine, store_path=data_dir / "queue.json")
    await again.start()
    try:
        items = again.queue_get()["items"]
        assert [i["item_uid"] for i in items] == [long["item"]["item_uid"], waiting["item_uid"]]
        assert items[0]["properties"]["interrupted"] is True
        assert "interrupted" not in items[1].get("properties", {})
        assert len(again.history_get()["items"]) == 1
        assert again.interrupted is not None
    finally:
        await again.close()

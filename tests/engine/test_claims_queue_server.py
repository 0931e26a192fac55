"""The queue server's engine runs a plan; a shell's engine in the same process and loop is
refused the devices that plan drives, and gets them back when the queue has run it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from skyscope.devices import SoftDetector, SoftMotor
from skyscope.engine import DeviceInUse, Engine
from skyscope.plans import count, mv, run_wrapper

server = pytest.importorskip("skyscope.server")

USER = {"user": "tester", "user_group": "primary"}


@pytest.fixture
async def devices() -> dict[str, Any]:
    motor = SoftMotor("stage_x", velocity=float("inf"))
    det = SoftDetector("sensor")
    await motor.connect()
    await det.connect()
    return {"stage_x": motor, "sensor": det}


@pytest.fixture
async def queue_server(devices: dict[str, Any]) -> AsyncIterator[Any]:
    async def environment() -> Any:
        return server.Environment(devices=devices, plans={"count": count})

    queue = server.QueueServer(environment, engine=Engine({}, handle_sigint=False))
    await queue.start()
    yield queue
    await queue.close()


async def test_a_shell_engine_is_refused_the_queue_plans_devices(
    queue_server: Any, devices: dict[str, Any]
) -> None:
    queue_engine: Engine = queue_server.engine
    shell = Engine({}, handle_sigint=False)
    started = asyncio.Event()
    queue_engine.subscribe(lambda name, doc: name == "event" and started.set())
    item = {"item_type": "plan", "name": "count", "args": [["sensor"]]}
    item["kwargs"] = {"num": 10_000, "delay": 0.005}  # runs until the queue stops it
    queue_server.queue_item_add(item, **USER)
    queue_server.queue_start()
    await started.wait()

    with pytest.raises(DeviceInUse) as refused:
        await shell(count([devices["sensor"]], 1))
    assert "cannot stage sensor: plan 'count' on another engine is using it" in str(refused.value)
    moved = await shell(run_wrapper(mv(devices["stage_x"], 2.0)))  # not the queue's: free
    assert moved.exit_status == "success"

    queue_server.re_pause("immediate")
    await _status_where(queue_server, lambda status: status["manager_state"] == "paused")
    with pytest.raises(DeviceInUse, match="plan 'count'"):  # a paused plan keeps its devices
        await shell(count([devices["sensor"]], 1))
    queue_server.re_control("stop")
    await queue_server.wait_idle()
    history = queue_server.history_get()["items"]
    assert history[-1]["result"]["exit_status"] == "stopped"
    assert (await shell(count([devices["sensor"]], 1))).exit_status == "success"


async def _status_where(queue_server: Any, condition: Any) -> dict[str, Any]:
    """The first status of the queue server (current or pushed) that satisfies ``condition``."""
    async for status in queue_server.feed.listen(queue_server.status()):
        if condition(status):
            return dict(status)
    raise AssertionError("the status feed ended")

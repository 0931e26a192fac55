"""Stopping the live view mid-exposure leaves nothing running (issue 16: a trigger's Status task
outlived the plan and failed with StatusCancelledError when the loop shut down)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from _closing_camera import ClosingCamera
from skyscope.devices.sim import CameraSettings, Microscope, SensorSpec
from skyscope.engine import Engine
from skyscope.server import Environment, FrameTap, LiveFrames, QueueServer, live_view
from skyscope.writers import HDF5FrameWriter

EXPOSURE_S = 0.3


async def _scope(folder: Path, live: LiveFrames) -> Microscope:
    scope = Microscope(
        sensor=SensorSpec(shape=(16, 16)),
        camera=CameraSettings(exposure_s=EXPOSURE_S),
        mode="pattern",
        realtime=True,  # a real exposure: the stop lands while the camera is exposing
        writer=FrameTap(HDF5FrameWriter(folder), live),
    )
    await scope.connect()
    return scope


def _others() -> set[asyncio.Task[object]]:
    return {t for t in asyncio.all_tasks() if t is not asyncio.current_task()}


@pytest.mark.parametrize("how", ["stop", "abort"])
async def test_stopping_mid_exposure_leaves_no_trigger_running(tmp_path: Path, how: str) -> None:
    live = LiveFrames()
    scope = await _scope(tmp_path, live)
    before = _others()
    engine = Engine({}, handle_sigint=False)
    triggers: list[object] = []
    second = asyncio.Event()

    def on_message(msg: object) -> None:
        if getattr(msg, "command", None) == "trigger":
            triggers.append(msg)
            if len(triggers) == 2:
                second.set()

    engine.msg_hook = on_message
    handle = engine.start(live_view(scope.camera))
    await second.wait()  # the second frame's exposure has begun (it takes 0.3 s)
    await asyncio.sleep(0)  # (the engine hands the message to the camera)
    handle.stop() if how == "stop" else handle.abort("enough")
    result = await handle
    assert result.exit_status == ("success" if how == "stop" else "abort")
    left = _others() - before
    assert left == set(), f"tasks outlived the plan: {left}"


async def test_the_pages_stop_ends_the_live_view_item_stopped_with_no_error(
    tmp_path: Path,
) -> None:
    """Pause now, then stop (the page's button) mid-exposure: the item ends "stopped", no msg.

    The camera fails a trigger still running when it is unstaged; before the engine settled the
    trigger first, that failure became the item's message ("trigger() failed: … stage() it first").
    """
    camera = ClosingCamera()
    camera.writer = FrameTap(HDF5FrameWriter(tmp_path), LiveFrames())

    async def environment() -> Environment:
        return Environment(devices={"camera": camera}, plans={"live_view": live_view})

    engine = Engine({}, handle_sigint=False)
    waiting = asyncio.Event()
    engine.msg_hook = lambda msg: waiting.set() if msg.command == "wait" else None
    server = QueueServer(environment, engine=engine, store_path=tmp_path / "queue.json")
    await server.start()
    try:
        item = {"item_type": "plan", "name": "live_view", "args": ["camera"]}
        server.queue_item_execute(item, user="tester", user_group="primary")
        await waiting.wait()  # the plan waits for its first frame
        server.re_pause("immediate")
        async for status in server.feed.listen(server.status()):
            if status["manager_state"] == "paused":
                break
        server.re_control("stop")
        await server.wait_idle()
        (done,) = server.history_get()["items"]
    finally:
        await server.close()
    result = done["result"]
    assert (result["exit_status"], result["msg"], result["traceback"]) == ("stopped", "", "")
    assert camera.log == ["trigger done", "unstage"]

"""The console output of a real ``skyscope serve``: what the startup's functions print."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from bluesky_queueserver_api import BFunc
from bluesky_queueserver_api.http.aio import REManagerAPI
from test_serve_restart import KEY, start_server


async def test_prints_of_a_function_reach_the_console_output(tmp_path: Path) -> None:
    proc, url = await start_server(tmp_path)
    api = REManagerAPI(http_server_uri=url, status_polling_period=0.05)
    api.set_authorization_key(api_key=KEY)
    try:
        started = await api.function_execute(BFunc("say", "hello from a thread"))
        assert started["success"] is True, started
        await api.wait_for_completed_task(started["task_uid"], timeout=30)
        result = (await api.task_result(started["task_uid"]))["result"]
        assert result["return_value"] == "hello from a thread"
        reply = await api.send_request(method=("GET", "/api/console_output"), params={"nlines": 50})
        assert "the microscope says: hello from a thread" in reply["text"]
        every = await api.send_request(
            method=("GET", "/api/console_output_update"), params={"last_msg_uid": "ALL"}
        )
        said = [m for m in every["console_output_msgs"] if "microscope says" in m["msg"]]
        assert len(said) == 1
        assert said[0]["time"] > 0
    finally:
        await api.close()
        proc.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(proc.wait(), 30) == 0

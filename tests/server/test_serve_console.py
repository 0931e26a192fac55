"""The console output: what is printed and logged, bounded; through a real ``skyscope serve``."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from pathlib import Path

from bluesky_queueserver_api import BFunc
from bluesky_queueserver_api.http.aio import REManagerAPI
from test_serve_restart import KEY, start_server

from skyscope.server import ConsoleOutput


async def test_prints_and_every_loggers_info_are_captured() -> None:
    console = ConsoleOutput()
    console.install()
    try:
        print("the plan prints this")
        print("and this goes to stderr", file=sys.stderr)
        logging.getLogger("a.library").info("a library's news")
        logging.getLogger("a.library").debug("too fine to keep")
    finally:
        console.uninstall()
    text = console.text()
    assert "the plan prints this" in text
    assert "and this goes to stderr" in text
    assert "[I " in text
    assert "a.library] a library's news" in text
    assert "too fine to keep" not in text
    print("after uninstall")
    assert "after uninstall" not in console.text()


async def test_the_console_keeps_a_bounded_number_of_characters() -> None:
    console = ConsoleOutput(capacity_chars=80_000)
    console.install()
    try:
        print("y" * 10_000)  # the oldest: it goes when the lines below come
        print("x" * 100_000)
        for number in range(1_000):
            print(f"line {number:03}")
    finally:
        console.uninstall()
    kept = [m["msg"] for m in console.since("ALL")["console_output_msgs"]]
    assert sum(map(len, kept)) <= 80_000
    assert not [m for m in kept if m.startswith("yyy")]
    (cut,) = [m for m in kept if m.startswith("xxx")]
    assert cut.endswith("(36000 characters cut)\n")
    assert kept[-2:] == ["line 999", "\n"]


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

"""``skyscope serve`` killed mid-plan and started again: the queue and history survive.

The server runs as a real child process (``python -m skyscope serve``) so it can be killed
with SIGKILL; bluesky-queueserver-api's HTTP client drives it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from bluesky_queueserver_api import BPlan
from bluesky_queueserver_api.http.aio import REManagerAPI

from skyscope.broker import Catalog

KEY = "restart-test-key"
STARTUP = Path(__file__).with_name("startup_fast.py")
SRC = Path(__file__).parents[2] / "src"


async def start_server(data_dir: Path) -> tuple[asyncio.subprocess.Process, str]:
    env = {
        **os.environ,
        "SKYSCOPE_DATA_DIR": str(data_dir),
        "SKYSCOPE_SINGLE_USER_API_KEY": KEY,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "skyscope", "serve", "--startup", str(STARTUP), "--port", "0",
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    assert proc.stdout is not None
    lines = []
    while True:
        line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
        lines.append(line)
        if not line:
            raise AssertionError("skyscope serve ended before listening:\n" + "".join(lines))
        if "listening on " in line:
            return proc, line.split("listening on ")[1].strip()


@pytest.fixture
async def client_factory() -> AsyncIterator[Any]:
    made: list[Any] = []

    def make(url: str) -> Any:
        api = REManagerAPI(http_server_uri=url, status_polling_period=0.05)
        api.set_authorization_key(api_key=KEY)
        made.append(api)
        return api

    yield make
    for api in made:
        await api.close()


async def test_killed_mid_plan_the_item_returns_first_marked_interrupted(
    tmp_path: Path, client_factory: Any
) -> None:
    proc, url = await start_server(tmp_path)
    try:
        api = client_factory(url)
        await api.item_add(BPlan("count", ["camera"], num=1))
        await api.queue_start()
        await api.wait_for_idle(timeout=30)
        long = (await api.item_add(BPlan("count", ["camera"], num=100_000, delay=0.01)))["item"]
        after = (await api.item_add(BPlan("count", ["camera"], num=2)))["item"]
        await api.queue_start()
        await api.wait_for_condition(
            lambda s: s["running_item_uid"] == long["item_uid"] and s["run_list_uid"], timeout=30
        )
        await api.wait_for_condition(lambda s: s["re_state"] == "running", timeout=30)
        runs = await api.re_runs("open")
        (run_uid,) = [r["uid"] for r in runs["run_list"]]
    finally:
        proc.send_signal(signal.SIGKILL)
        await proc.wait()

    proc, url = await start_server(tmp_path)
    try:
        api = client_factory(url)
        queue = await api.queue_get()
        assert [i["item_uid"] for i in queue["items"]] == [long["item_uid"], after["item_uid"]]
        assert queue["items"][0]["properties"]["interrupted"] is True
        history = await api.history_get()
        assert [h["result"]["exit_status"] for h in history["items"]] == ["completed"]
        # the catalog recovered the killed run and marked it interrupted
        with Catalog(tmp_path / "catalog.sqlite", readonly=True) as catalog:
            assert catalog[run_uid].status == "interrupted"
        await api.item_remove(uid=long["item_uid"])
        await api.queue_start()
        await api.wait_for_idle(timeout=30)
        assert len((await api.history_get())["items"]) == 2
    finally:
        proc.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(proc.wait(), 30) == 0

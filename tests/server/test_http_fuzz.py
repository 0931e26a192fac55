"""schemathesis over ``/openapi.json``: over 1,000 generated requests, not one 5xx.

The server is a real ``skyscope serve`` child process (schemathesis sends its requests
synchronously, which would block a server on this test's own loop). A run is acquired first
and its uid, stream and image key are offered to schemathesis as likely values, so the
catalog routes are fuzzed on a real run as well as on made-up ones.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import signal
from pathlib import Path

import httpx
import pytest
from bluesky_queueserver_api import BPlan
from bluesky_queueserver_api.http.aio import REManagerAPI
from test_serve_restart import KEY, start_server

EXAMPLES_PER_ROUTE = 30


async def _acquire_a_run(url: str) -> tuple[str, str]:
    """Run a count of the camera; return its run uid and the camera's data key."""
    api = REManagerAPI(http_server_uri=url, status_polling_period=0.05)
    api.set_authorization_key(api_key=KEY)
    try:
        await api.item_add(BPlan("count", ["camera"], num=2))
        await api.queue_start()
        await api.wait_for_idle(timeout=30)
        (done,) = (await api.history_get())["items"]
        (uid,) = done["result"]["run_uids"]
    finally:
        await api.close()
    header = {"Authorization": f"ApiKey {KEY}"}
    async with httpx.AsyncClient(base_url=url, headers=header) as client:
        run = (await client.get(f"/api/catalog/runs/{uid}")).json()
    (key,) = run["images"]["primary"]
    return uid, key


def _likely_values(uid: str, key: str) -> str:
    """A schemathesis.toml offering the real run's names most of the time."""
    values = {"uid": uid, "stream": "primary", "key": key}
    lines = [f'[dictionaries.{name}]\nvalues = ["{value}"]' for name, value in values.items()]
    lines.append("[parameters]")
    lines += [f'"path.{name}" = {{ dictionary = "{name}", probability = 0.7 }}' for name in values]
    return "\n".join(lines) + "\n"


# Over 1,000 requests on two shared cores take longer than the suite's 60 s per test.
@pytest.mark.timeout(300)
async def test_no_request_makes_a_server_error(tmp_path: Path) -> None:
    schemathesis = shutil.which("schemathesis")
    assert schemathesis is not None, "schemathesis is in the test extra"
    proc, url = await start_server(tmp_path)
    try:
        (tmp_path / "schemathesis.toml").write_text(_likely_values(*await _acquire_a_run(url)))
        fuzz = await asyncio.create_subprocess_exec(
            schemathesis, "run", f"{url}/openapi.json", "-H", f"Authorization: ApiKey {KEY}",
            "--checks", "not_a_server_error", "--max-examples", str(EXAMPLES_PER_ROUTE),
            "--seed", "1", "--generation-database", "none",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            cwd=tmp_path,  # reads schemathesis.toml there, and leaves a .schemathesis folder
        )  # fmt: skip
        out = (await fuzz.communicate())[0].decode()
    finally:
        proc.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(proc.wait(), 30) == 0
    assert fuzz.returncode == 0, out[-3000:]
    generated = re.search(r"(\d+) generated, (\d+) passed", out)
    assert generated is not None, out[-3000:]
    assert int(generated[1]) >= 1000
    assert generated[1] == generated[2]

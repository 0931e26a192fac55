"""schemathesis over ``/openapi.json``: over 1,000 generated requests, not one 5xx.

The server is a real ``skyscope serve`` child process (schemathesis sends its requests
synchronously, which would block a server on this test's own loop).
"""

from __future__ import annotations

import asyncio
import re
import shutil
import signal
from pathlib import Path

import pytest
from test_serve_restart import KEY, start_server

EXAMPLES_PER_ROUTE = 30


# Over 1,000 requests on two shared cores take longer than the suite's 60 s per test.
@pytest.mark.timeout(300)
async def test_no_request_makes_a_server_error(tmp_path: Path) -> None:
    schemathesis = shutil.which("schemathesis")
    assert schemathesis is not None, "schemathesis is in the test extra"
    proc, url = await start_server(tmp_path)
    try:
        fuzz = await asyncio.create_subprocess_exec(
            schemathesis, "run", f"{url}/openapi.json", "-H", f"Authorization: ApiKey {KEY}",
            "--checks", "not_a_server_error", "--max-examples", str(EXAMPLES_PER_ROUTE),
            "--seed", "1", "--generation-database", "none",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            cwd=tmp_path,  # schemathesis leaves a .schemathesis folder where it runs
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

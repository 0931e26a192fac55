"""``skyscope ioc`` serves the test IOC in the foreground and prints how to reach it."""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from caproto.sync.client import read

pytestmark = pytest.mark.epics


@pytest.fixture
def ioc_command() -> Iterator[subprocess.Popen[bytes]]:
    command = [sys.executable, "-m", "skyscope", "ioc", "--port", "0", "--prefix", "CLI:"]
    process = subprocess.Popen(
        [*command, "--motors", "a", "--camera-prefix", ""],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    yield process
    process.kill()
    process.wait()
    assert process.stdout is not None
    process.stdout.close()


def _read_until_ready(process: subprocess.Popen[bytes], timeout: float = 20.0) -> str:
    assert process.stdout is not None
    output = b""
    deadline = time.monotonic() + timeout
    while not output.endswith(b"\nready\n"):
        ready, _, _ = select.select([process.stdout], [], [], deadline - time.monotonic())
        chunk = os.read(process.stdout.fileno(), 65536) if ready else b""
        if not chunk:
            pytest.fail(f"skyscope ioc printed no 'ready' line; got {output!r}")
        output += chunk
    return output.decode()


def test_ioc_command_prints_exports_and_serves_them(
    ioc_command: subprocess.Popen[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    output = _read_until_ready(ioc_command)
    exports = dict(re.findall(r"export (EPICS_CA_\w+)='([^']*)'", output))
    assert exports["EPICS_CA_AUTO_ADDR_LIST"] == "NO"
    assert re.fullmatch(r"127\.0\.0\.1:\d+", exports["EPICS_CA_ADDR_LIST"])
    assert "  CLI:a.VAL\n" in output
    assert "  CLI:a.RBV\n" in output
    assert "cam1:" not in output
    for key, value in exports.items():  # a pure-Python client reads these at each call
        monkeypatch.setenv(key, value)
    response = read("CLI:a.HLM", timeout=5, repeater=False)
    assert response.data[0] == 50.0

"""Run one documentation page's Python blocks in order, in one namespace, as a reader would.

Blocks may ``await`` at top level (the pages are written for IPython's ``%autoawait`` and
notebooks): such a block is awaited on one event loop kept for the whole page, as IPython does.
A block without top-level ``await`` runs as a plain script (it may call ``asyncio.run``).

A page states what its reader has done before its first block in hidden comments:
``<!-- docs-test before: skyscope demo -->`` runs that command first, and
``<!-- docs-test namespace: shell -->`` starts from the names ``skyscope shell`` gives, and
``<!-- docs-test ioc -->`` serves the test IOC (as ``skyscope ioc`` does, on free loopback
ports) with the client's ``EPICS_CA_*`` variables exported, and
``<!-- docs-test server: http://127.0.0.1:PORT KEY -->`` runs ``skyscope serve`` on that port
with ``SKYSCOPE_SINGLE_USER_API_KEY=KEY`` for the page's blocks, and
``<!-- docs-test nats: nats://127.0.0.1:PORT -->`` runs ``nats-server`` with JetStream there.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import inspect
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BLOCK = re.compile(r"^```python\n(.*?)^```", flags=re.DOTALL | re.MULTILINE)
BEFORE = re.compile(r"<!-- docs-test before: (.*?) -->")
SHELL_NAMESPACE = "<!-- docs-test namespace: shell -->"
IOC = "<!-- docs-test ioc -->"
SERVER = re.compile(r"<!-- docs-test server: http://127\.0\.0\.1:(\d+) (\S+) -->")
NATS = re.compile(r"<!-- docs-test nats: nats://127\.0\.0\.1:(\d+) -->")


def blocks(page: Path) -> list[str]:
    """The page's ``python`` blocks, in order."""
    return BLOCK.findall(page.read_text(encoding="utf-8"))


def run_page(page: Path) -> None:
    """Execute every block of ``page`` in one namespace (with the servers it asks for)."""
    text = page.read_text(encoding="utf-8")
    nats = NATS.search(text)
    if nats is not None:
        with _nats_serving(int(nats.group(1))):
            _run_blocks(page)
        return
    server = SERVER.search(text)
    if server is not None:
        with _serving(int(server.group(1)), server.group(2)):
            _run_blocks(page)
        return
    if IOC not in text:
        _run_blocks(page)
        return
    from skyscope.devices.testing._test_ioc import TestIOC

    with TestIOC() as ioc:
        os.environ.update(ioc.client_env)
        _run_blocks(page)


def _run_blocks(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    for command in BEFORE.findall(text):
        print(f"--- {page.name}: {command}", flush=True)
        subprocess.run(shlex.split(command), check=True, stdout=subprocess.DEVNULL)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    with asyncio.Runner() as runner:
        if SHELL_NAMESPACE in text:
            from skyscope.cli._shell import build_namespace

            namespace.update(runner.run(build_namespace()))
        for number, source in enumerate(blocks(page), start=1):
            print(f"--- {page.name} block {number}", flush=True)
            code = compile(
                source, f"{page}:block{number}", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
            )
            if code.co_flags & inspect.CO_COROUTINE:
                runner.run(eval(code, namespace))
            else:
                exec(code, namespace)
        if "skyscope.devices.epics" in sys.modules:  # close CA channels while the loop lives
            runner.run(_purge_channels())


@contextlib.contextmanager
def _serving(port: int, key: str, attempts: int = 3) -> Iterator[None]:
    """``skyscope serve`` on 127.0.0.1:``port`` until the page is done.

    The documented port (60610, bluesky-httpserver's) lies in Linux's ephemeral range, so an
    outgoing connection of another test may hold it for a moment: a server that could not
    bind is started again, up to ``attempts`` times.
    """
    env = {**os.environ, "SKYSCOPE_SINGLE_USER_API_KEY": key}
    command = [sys.executable, "-m", "skyscope.cli", "serve", "--port", str(port)]
    for attempt in range(1, attempts + 1):
        with subprocess.Popen(command, env=env) as server:
            try:
                _wait_for_port(port, server)
            except RuntimeError:  # it exited before listening
                if attempt == attempts:
                    raise
                time.sleep(1.0)
                continue
            try:
                yield
            finally:
                server.send_signal(signal.SIGINT)
                server.wait(timeout=30)
            return


@contextlib.contextmanager
def _nats_serving(port: int) -> Iterator[None]:
    """``nats-server`` with JetStream on 127.0.0.1:``port``, its store in the working folder."""
    command = ["nats-server", "-js", "-a", "127.0.0.1", "-p", str(port), "-sd", "nats-store"]
    with subprocess.Popen(command, stderr=subprocess.DEVNULL) as server:
        try:
            _wait_for_port(port, server)
            yield
        finally:
            server.terminate()
            server.wait(timeout=30)


def _wait_for_port(port: int, server: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(
                f"{shlex.join(map(str, server.args))} exited with {server.returncode}"
            )
        address = ("127.0.0.1", port)
        with contextlib.suppress(OSError), socket.create_connection(address, 1) as probe:
            if probe.getsockname()[1] != port:  # not a TCP self-connect (same ephemeral port)
                return
        time.sleep(0.1)
    raise TimeoutError(
        f"{shlex.join(map(str, server.args))}: no listener on port {port} in {timeout} s"
    )


async def _purge_channels() -> None:
    from skyscope.devices.epics import purge_channels

    purge_channels()


if __name__ == "__main__":
    run_page(Path(sys.argv[1]))

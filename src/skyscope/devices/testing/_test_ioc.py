"""``TestIOC``: the simulated motors and camera in a subprocess on a loopback port.

Start, stop, kill and restart it (on the same port, so clients configured once find it again),
and ask it for the ``EPICS_CA_*`` variables a client needs. The parent never imports caproto.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

from ._ioc_options import IocOptions
from ._loopback import client_env, free_port, server_env

_MODULE = "skyscope.devices.testing._ioc_main"
_READY = b"SKYSCOPE-IOC-READY"
_LOG_TAIL = 2000


class TestIOC:
    """The test IOC as a managed subprocess (a context manager that starts and stops it)."""

    __test__ = False  # not a pytest test class, despite the name

    def __init__(
        self,
        options: IocOptions | None = None,
        *,
        port: int | None = None,
        beacon_port: int | None = None,
    ) -> None:
        """Configure (not start) an IOC serving on ``port`` (default: a free one)."""
        self.options = options or IocOptions()
        self.port = port if port is not None else free_port()
        self.beacon_port = beacon_port if beacon_port is not None else free_port()
        self._process: subprocess.Popen[bytes] | None = None
        self._log_path = Path(tempfile.mkstemp(prefix="skyscope-ioc-", suffix=".log")[1])

    @property
    def client_env(self) -> dict[str, str]:
        """The ``EPICS_CA_*`` variables a client needs to find this IOC (on loopback only)."""
        return client_env([self.port], self.beacon_port)

    @property
    def is_running(self) -> bool:
        """Whether the IOC process is alive."""
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        """The IOC process id while it runs."""
        return self._process.pid if self.is_running and self._process else None

    @property
    def log(self) -> str:
        """What the IOC process has logged (caproto's warnings and errors)."""
        return self._log_path.read_text(errors="replace") if self._log_path.exists() else ""

    def motor_prefix(self, axis: str) -> str:
        """The motor record name of ``axis`` (e.g. ``SKYSCOPE:x``; fields ``.VAL``, ``.RBV``…)."""
        return self.options.motor_prefix(axis)

    @property
    def camera_prefix(self) -> str:
        """The camera prefix (``<prefix>cam1:Acquire``, ``<prefix>image1:ArrayData``…)."""
        return self.options.camera

    def start(self, timeout: float = 20.0) -> None:
        """Start the process and return once it serves every PV; raise with its log if not."""
        if self.is_running:
            raise RuntimeError(f"the test IOC on port {self.port} is already running")
        env = {**os.environ, **server_env(self.port, self.beacon_port)}
        env["PYTHONPATH"] = os.pathsep.join(path for path in sys.path if path)
        with self._log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", _MODULE, *self.options.to_argv()],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log, env=env,
            )  # fmt: skip
        try:
            self._wait_ready(self._process, timeout)
        except BaseException:
            self.kill()
            raise

    def _wait_ready(self, process: subprocess.Popen[bytes], timeout: float) -> None:
        assert process.stdout is not None
        deadline = time.monotonic() + timeout
        received = b""
        while _READY not in received:
            remaining = deadline - time.monotonic()
            readable, _, _ = select.select([process.stdout], [], [], max(remaining, 0))
            chunk = os.read(process.stdout.fileno(), 4096) if readable else b""
            if not chunk:
                process.poll()
                reason = (
                    f"exited with code {process.returncode}"
                    if process.returncode is not None or readable
                    else f"was not ready within {timeout:g} s"
                )
                raise RuntimeError(f"the test IOC {reason}; its log ends:\n{self._log_tail()}")
            received += chunk

    def _log_tail(self) -> str:
        return self.log[-_LOG_TAIL:] or "(empty)"

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the process (terminate, then kill if it lingers); nothing if not running."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._close(process)

    def kill(self) -> None:
        """Kill the process at once (like a crashed IOC) and reap it."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        process.wait()
        self._close(process)

    def _close(self, process: subprocess.Popen[bytes]) -> None:
        if process.stdout is not None and not process.stdout.closed:
            process.stdout.close()
        self._process = None

    def restart(self, timeout: float = 20.0) -> None:
        """Stop the IOC if it runs, then start it again on the same port."""
        self.stop()
        self.start(timeout)

    def close(self) -> None:
        """Stop the IOC and delete its log file."""
        self.stop()
        self._log_path.unlink(missing_ok=True)

    def __enter__(self) -> TestIOC:
        """Start the IOC."""
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the IOC and delete its log file."""
        self.close()

    def __repr__(self) -> str:
        """Show the prefix, the port and whether it runs."""
        state = "running" if self.is_running else "stopped"
        return f"<TestIOC {self.options.prefix!r} on 127.0.0.1:{self.port} ({state})>"

"""The ``skyscope`` command itself: its help speaks to users and it knows its version."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from skyscope._version import __version__
from skyscope.cli import main


def test_help_speaks_to_users(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    assert "``" not in text  # no reST markup from a developer docstring
    assert "skyscope demo" in text
    for command in ("demo", "runs", "show", "export", "catalog", "shell", "ioc"):
        assert f"    {command}" in text


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"skyscope {__version__}"


def test_the_ioc_says_in_one_line_that_no_repeater_listens() -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "skyscope.cli", "ioc", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as ioc:
        assert ioc.stdout is not None
        assert ioc.stdout.readline().startswith("skyscope test IOC on 127.0.0.1:")
        time.sleep(1.5)  # beacons go out at 20 ms, 40 ms, 80 ms ... : several fail meanwhile
        ioc.send_signal(signal.SIGINT)
        _, errors = ioc.communicate(timeout=30)
    assert "Traceback" not in errors
    assert errors.count("no CA repeater listens") == 1

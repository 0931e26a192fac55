"""The ``skyscope`` command itself: its help speaks to users and it knows its version."""

from __future__ import annotations

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

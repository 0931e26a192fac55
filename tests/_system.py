"""Find a system server or browser a test needs: skip where it is missing, but fail under CI."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# How to install each system program the suite starts, on Debian (what `.ci/run` does).
INSTALL_HINTS = {
    "chromium": "apt-get install -y chromium",
    "nats-server": "apt-get install -y nats-server",
    "postgres": "apt-get install -y postgresql",
    "redis-server": "apt-get install -y redis-server",
}


def require_program(name: str, *candidates: str) -> Path:
    """The path of program ``name`` (or of the first existing ``candidates``).

    Missing, the test skips saying how to install it; under ``CI=true`` it fails instead, since CI
    installs every server its tests need and a skip there would hide a broken setup.
    """
    for candidate in (*candidates, name):
        found = shutil.which(candidate) or (candidate if Path(candidate).is_file() else None)
        if found:
            return Path(found)
    message = f"{name} is not installed (install it with: {INSTALL_HINTS.get(name, name)})"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + "; CI=true, so a missing server fails rather than skips")
    pytest.skip(message)

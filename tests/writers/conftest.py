"""Fixtures for the frame writer tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def h5_path(tmp_path: Path) -> Path:
    return tmp_path / "frames.h5"

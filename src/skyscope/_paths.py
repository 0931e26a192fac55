"""Where skyscope keeps things by default: one data directory, overridable by the environment.

``SKYSCOPE_DATA_DIR`` moves everything at once (tests and CI point it at a temporary folder);
otherwise the platform's user data directory is used.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

DATA_DIR_ENV = "SKYSCOPE_DATA_DIR"


def data_dir() -> Path:
    """Return the data directory (created if missing): ``$SKYSCOPE_DATA_DIR`` or the user's."""
    configured = os.environ.get(DATA_DIR_ENV)
    path = Path(configured) if configured else Path(platformdirs.user_data_dir("skyscope"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def catalog_path() -> Path:
    """Return the default SQLite catalog file."""
    return data_dir() / "catalog.sqlite"


def metadata_path() -> Path:
    """Return the file where the engine's persistent metadata (``engine.md``) lives."""
    return data_dir() / "metadata.json"


def runs_dir() -> Path:
    """Return the folder under which runs' files are written by default."""
    path = data_dir() / "runs"
    path.mkdir(parents=True, exist_ok=True)
    return path

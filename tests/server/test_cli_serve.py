"""``skyscope keys create`` and ``skyscope serve``'s refusals, in process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skyscope.cli import main
from skyscope.server import ApiKeys


def test_keys_create_prints_a_key_stored_hashed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["keys", "create", "--role", "user", "--name", "ada", "--data-dir", str(tmp_path)])
    assert code == 0
    key = capsys.readouterr().out.strip()
    stored = (tmp_path / "api_keys.json").read_text()
    assert key not in stored
    assert json.loads(stored)["keys"][0]["role"] == "user"
    principal = ApiKeys(tmp_path / "api_keys.json").principal(f"ApiKey {key}")
    assert principal is not None
    assert principal.name == "ada"


def test_serve_names_a_missing_startup_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere.py"
    code = main(["serve", "--startup", str(missing), "--port", "0", "--data-dir", str(tmp_path)])
    assert code == 1
    assert f"no startup file at {missing}" in capsys.readouterr().err

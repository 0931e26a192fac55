"""``skyscope keys create`` and ``skyscope serve``'s refusals, in process."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from skyscope.cli import main
from skyscope.server import ApiKeys, QueueServer


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


async def test_queue_commands_drive_a_server(
    queue_server: QueueServer,
    http_url: str,
    keys: tuple[ApiKeys, dict[str, str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    base = ["queue", "--url", http_url, "--api-key", keys[1]["user"]]

    async def run(*words: str) -> tuple[int, str, str]:
        code = await asyncio.to_thread(main, [*base, *words])
        out, err = capsys.readouterr()
        return code, out, err

    code, out, _ = await run("add", "count", '["camera"]', "num=2")
    assert code == 0
    assert 'count(["camera"], num=2)' in out
    code, _, err = await run("add", "count", '["nothing"]')
    assert code == 1
    assert "unknown device 'nothing'" in err
    code, out, _ = await run("list")
    assert 'count(["camera"], num=2)' in out
    assert (await run("start"))[0] == 0
    await queue_server.wait_idle()
    code, out, _ = await run("history")
    assert "completed" in out
    code, out, _ = await run("status")
    assert "items_in_history: 1" in out
    code, _, err = await run("stop")
    assert code == 1
    assert "not running" in err


async def test_queue_commands_refused_without_a_key(
    http_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await asyncio.to_thread(main, ["queue", "--url", http_url, "--api-key", "x", "list"])
    assert code == 1
    assert "401" in capsys.readouterr().err

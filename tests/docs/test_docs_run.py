"""Every Python block of the documentation runs as written: each page in one namespace, in a
fresh data directory and working folder, in its own process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from _run_page import blocks

ROOT = Path(__file__).parents[2]
PAGES = sorted(
    page for page in [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")] if blocks(page)
)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_page_runs(page: Path, tmp_path: Path) -> None:
    env = {**os.environ, "SKYSCOPE_DATA_DIR": str(tmp_path / "data"), "MPLBACKEND": "Agg"}
    done = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("_run_page.py")), str(page)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=280,
    )
    assert done.returncode == 0, f"{page.name}:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"


def test_every_page_with_code_is_run() -> None:
    assert len(PAGES) >= 10

"""``skyscope shell``: its namespace works without starting IPython; a clear error without it."""

from __future__ import annotations

import sys

import pytest

from skyscope import _paths
from skyscope.broker import Catalog
from skyscope.cli import main
from skyscope.cli._shell import MISSING_IPYTHON, build_namespace


async def test_the_namespace_runs_a_plan_into_the_catalog() -> None:
    namespace = await build_namespace()
    engine, scope, catalog = namespace["engine"], namespace["scope"], namespace["catalog"]
    try:
        result = await engine(namespace["count"]([scope.camera], 5))
        catalog.flush()
    finally:
        catalog.close()
    assert result.exit_status == "success"
    assert {"mda", "autofocus", "tile_scan", "live", "useq", "mv"} <= namespace.keys()
    with Catalog(_paths.catalog_path()) as again:
        run = again[-1]
        assert run.start["uid"] == result.run_start_uids[0]
        assert run.stop["num_events"] == {"primary": 5}


def test_without_ipython_the_shell_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "IPython", None)  # import IPython now fails
    assert main(["shell"]) == 1
    assert MISSING_IPYTHON in capsys.readouterr().out

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
        await scope.camera.unstage()
    assert result.exit_status == "success"
    assert {"mda", "autofocus", "tile_scan", "live", "useq", "mv"} <= namespace.keys()
    with Catalog(_paths.catalog_path()) as again:
        run = again[-1]
        assert run.start["uid"] == result.run_start_uids[0]
        assert run.stop["num_events"] == {"primary": 5}
        # frames went to an HDF5 file under the data directory, and read back as uint16
        (resource,) = [doc for name, doc in run.documents() if name == "stream_resource"]
        assert resource["mimetype"] == "application/x-hdf5"
        assert str(_paths.runs_dir()) in resource["uri"]
        images = run["primary"].read()["scope-camera-image"].values
        assert images.shape == (5, 512, 512)
        assert images.dtype == "uint16"
        assert _paths.catalog_path().stat().st_size < 1_000_000


def test_without_ipython_the_shell_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "IPython", None)  # import IPython now fails
    assert main(["shell"]) == 1
    assert MISSING_IPYTHON in capsys.readouterr().out

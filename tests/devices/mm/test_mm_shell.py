"""``skyscope shell --mm CONFIG.cfg``: a Micro-Manager configuration file as the shell's scope."""

from __future__ import annotations

import gc
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from skyscope import _paths
from skyscope.broker import Catalog
from skyscope.cli import main
from skyscope.cli._shell import MISSING_PYMMCORE, banner, build_namespace, close_scope
from skyscope.devices.mm import MMMicroscope, build_microscope
from skyscope.devices.mm.demo import DEMO_CONFIG, read_header


@pytest.fixture
async def namespace() -> AsyncIterator[dict[str, Any]]:
    names = await build_namespace(mm_config=DEMO_CONFIG)
    yield names
    names["catalog"].close()
    await close_scope(names["scope"])


async def test_the_shell_drives_the_microscope_of_a_cfg_file(namespace: dict[str, Any]) -> None:
    scope, engine, catalog = namespace["scope"], namespace["engine"], namespace["catalog"]
    assert isinstance(scope, MMMicroscope)
    assert scope.camera.label == "Camera"
    assert list(scope.filter_wheel.positions) == ["Cy5", "DAPI", "FITC", "TRITC"]
    sequence = namespace["useq"].MDASequence(channels=["FITC"], stage_positions=[(1.0, 2.0, 3.0)])
    result = await engine(namespace["mda"](sequence, scope))
    catalog.flush()
    assert result.exit_status == "success"
    with Catalog(_paths.catalog_path()) as again:
        run = again[-1]
        assert run.start["uid"] == result.run_start_uids[0]
        assert run.start["pixel_size_um"] == 0.65
        frame = run["primary"].read()["scope-camera-image"][0]
    header = read_header(frame)
    assert (header.x_um, header.y_um, header.z_um, header.channel) == (1.0, 2.0, 3.0, 1)
    assert "Micro-Manager microscope of demo.cfg" in banner(DEMO_CONFIG)


async def test_a_missing_configuration_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "scope.cfg"
    with pytest.raises(
        FileNotFoundError, match=f"no Micro-Manager configuration file at {missing}"
    ):
        await build_microscope(missing)
    gc.collect()


async def test_a_configuration_that_fails_to_load_says_where(tmp_path: Path) -> None:
    broken = tmp_path / "broken.cfg"
    broken.write_text("Property,Core,Initialize,0\n#py pyDevice,Cam,skyscope.nowhere,Camera\n")
    with pytest.raises(Exception, match=r"line 2.*skyscope.nowhere"):
        await build_microscope(broken)
    gc.collect()


def test_without_pymmcore_plus_the_shell_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "pymmcore_plus", None)  # import pymmcore_plus now fails
    assert main(["shell", "--mm", str(DEMO_CONFIG)]) == 1
    assert MISSING_PYMMCORE in capsys.readouterr().out

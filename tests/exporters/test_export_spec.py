"""SPEC files read back with silx's ``specfile``: one scan per stream, the events as rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from silx.io.specfile import SpecFile

from skyscope.devices import SoftDetector, SoftMotor, gaussian
from skyscope.engine import Engine
from skyscope.exporters import SpecExporter
from skyscope.plans import scan


async def test_a_scan_reads_back_with_silx(tmp_path: Path) -> None:
    motor = SoftMotor("motor", velocity=float("inf"))
    det = SoftDetector("det", compute=gaussian(center=0.0, sigma=1.0), inputs=[motor.readback])
    await motor.connect()
    await det.connect()
    exporter = SpecExporter(tmp_path)
    engine = Engine(md={}, handle_sigint=False)
    engine.subscribe(exporter, thread=False)
    result = await engine(scan([det], motor, -2, 2, num=9), sample="beads", scan_id=7)
    (path,) = exporter.paths
    assert path.suffix == ".spec"
    spec = SpecFile(str(path))
    assert len(spec) == 1
    primary = spec[0]
    assert primary.number == 7
    assert primary.labels == ["Epoch", "seq_num", "det-value", "motor-readback", "motor-setpoint"]
    data = primary.data  # one row per label, one column per event
    assert data.shape == (5, 9)
    np.testing.assert_allclose(data[3], np.linspace(-2, 2, 9))
    np.testing.assert_allclose(data[2], np.exp(-(np.linspace(-2, 2, 9) ** 2) / 2))
    assert list(data[1]) == list(range(1, 10))
    header = "\n".join(primary.scan_header)
    assert "#S 7 scan" in header
    assert result.run_start_uids[0] in "\n".join(spec[0].file_header)
    assert exporter.skipped["primary"] == {}

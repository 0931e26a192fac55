"""bluesky's own callbacks follow skyscope's runs: BestEffortCallback and LiveTable, errors fatal.

Each run happens on skyscope's engine with the simulated microscope, the callbacks subscribed as
critical and ``BLUESKY_DEBUG_CALLBACKS`` set, so a callback that fails (a missing ``plan_type``,
a hinted field that is no data key) fails the run instead of being logged and forgotten.
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg", force=True)  # plots are drawn, headless

import pytest
import useq
from bluesky.callbacks import LiveTable
from bluesky.callbacks.best_effort import BestEffortCallback
from matplotlib import pyplot as plt

from skyscope.devices.sim import CameraSettings, Microscope, SensorSpec
from skyscope.engine import Engine, RunResult
from skyscope.plans import (
    collect,
    complete,
    count,
    grid_scan,
    kickoff,
    mda,
    prepare,
    run_wrapper,
    scan,
    stage_wrapper,
)
from skyscope.writers import HDF5FrameWriter

MEAN = "scope-camera-mean"
ROW = re.compile(r"^\|\s+\d+ \|")  # a LiveTable row starts with its seq_num


@pytest.fixture(autouse=True)
def _callback_errors_are_fatal(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("BLUESKY_DEBUG_CALLBACKS", "1")  # read by bluesky when a callback raises
    yield
    plt.close("all")


async def _scope(**kwargs: Any) -> Microscope:
    scope = Microscope(
        seed=3,
        sensor=SensorSpec(shape=(32, 32)),
        camera=CameraSettings(exposure_s=0.001),
        mode="pattern",
        realtime=False,
        **kwargs,
    )
    await scope.connect()
    for axis in (scope.xy.x, scope.xy.y, scope.focus):
        await axis.velocity.set(float("inf"))
        await axis.settle_time.set(0.0)
    await scope.filter_wheel.switch_time.set(0.0)
    return scope


@pytest.fixture
async def scope() -> AsyncIterator[Microscope]:
    microscope = await _scope()
    yield microscope
    await microscope.camera.unstage()


class Watched:
    """One run with a BestEffortCallback and a LiveTable of ``fields`` both subscribed."""

    def __init__(self, fields: list[str]) -> None:
        self.engine = Engine(md={}, handle_sigint=False)
        self.bec = BestEffortCallback()
        self.table_lines: list[str] = []
        self.docs: list[tuple[str, Any]] = []
        self.engine.subscribe(self.bec, critical=True)
        self.engine.subscribe(LiveTable(fields, out=self.table_lines.append), critical=True)
        self.engine.subscribe(lambda name, doc: self.docs.append((name, doc)))

    async def run(self, plan: Any) -> RunResult:
        result = await self.engine(plan)
        assert result.exit_status == "success", result.reason
        assert result.subscriber_errors == ()
        return result

    @property
    def rows(self) -> list[str]:
        return [line for line in self.table_lines if ROW.match(line)]

    @property
    def watermark(self) -> str:
        """The plan type and name LiveTable printed under the table."""
        marks = [line for line in self.table_lines if " (scan num: " in line]
        assert len(marks) == 1, self.table_lines
        return marks[0].split(" [")[0]

    def events(self, stream: str = "primary") -> list[dict[str, Any]]:
        uids = {d["uid"] for n, d in self.docs if n == "descriptor" and d["name"] == stream}
        return [d for n, d in self.docs if n == "event" and d["descriptor"] in uids]

    def start(self) -> dict[str, Any]:
        return next(d for n, d in self.docs if n == "start")


def _check_descriptor_hints(docs: list[tuple[str, Any]]) -> None:
    for name, doc in docs:
        if name == "descriptor":
            for obj, hints in doc.get("hints", {}).items():
                assert set(hints.get("fields", [])) <= set(doc["object_keys"][obj]), doc["name"]


async def test_count(scope: Microscope, capsys: pytest.CaptureFixture[str]) -> None:
    watched = Watched([MEAN])
    await watched.run(count([scope.camera], num=3))

    assert len(watched.rows) == len(watched.events()) == 3
    assert watched.watermark == "generator count"  # printed at the stop, from the start doc
    assert f"{MEAN} vs time" in plt.get_figlabels()
    assert "Transient Scan ID: 1" in capsys.readouterr().out
    _check_descriptor_hints(watched.docs)


async def test_scan(scope: Microscope) -> None:
    watched = Watched([MEAN, "scope-focus-readback"])
    await watched.run(scan([scope.camera], scope.focus, 2490, 2510, num=5))

    assert len(watched.rows) == 5
    assert plt.get_figlabels() == [f"{MEAN} vs scope-focus-readback"]
    assert set(watched.bec.peaks["cen"]) == {MEAN}  # peak statistics were computed at the stop
    _check_descriptor_hints(watched.docs)


async def test_grid_scan(scope: Microscope) -> None:
    watched = Watched([MEAN, "scope-xy-x-readback", "scope-xy-y-readback"])
    plan = grid_scan([scope.camera], scope.xy.x, -20, 20, 3, scope.xy.y, -10, 10, 2)
    await watched.run(plan)

    assert len(watched.rows) == 6
    assert watched.start()["hints"]["gridding"] == "rectilinear"
    assert plt.get_figlabels() == [f"{MEAN} vs scope-xy-x-readback scope-xy-y-readback"]
    assert watched.bec._live_grids  # a LiveGrid image of the mean over the grid
    _check_descriptor_hints(watched.docs)


async def test_a_flyer(tmp_path: Path) -> None:
    scope = await _scope(writer=HDF5FrameWriter(tmp_path))
    camera = scope.camera

    async def fly() -> AsyncGenerator[Any, Any]:
        yield prepare(camera, 4, wait=True)
        yield kickoff(camera, wait=True)
        yield complete(camera, wait=True)
        yield collect(camera, name="frames")

    watched = Watched([MEAN])
    try:
        await watched.run(stage_wrapper(run_wrapper(fly(), {"plan_name": "fly"}), [camera]))
    finally:
        await camera.unstage()

    descriptor = next(d for n, d in watched.docs if n == "descriptor")
    assert descriptor["hints"] == {"scope-camera": {"fields": []}}  # no mean among its keys
    assert watched.rows == []  # no events: the frames are referenced by stream datums
    names = [n for n, _ in watched.docs]
    assert names.count("stream_datum") >= 1
    assert watched.watermark == "generator fly"
    _check_descriptor_hints(watched.docs)


async def test_an_mda(scope: Microscope, capsys: pytest.CaptureFixture[str]) -> None:
    sequence = useq.MDASequence(
        time_plan={"interval": 0, "loops": 3}, z_plan={"range": 2, "step": 1}
    )
    watched = Watched([MEAN, "t", "z", "z_um"])
    await watched.run(mda(sequence, scope))

    assert len(watched.rows) == len(watched.events()) == 9
    assert watched.start()["hints"]["dimensions"] == [[["started_s", "t", "z"], "primary"]]
    assert plt.get_figlabels() == [f"{MEAN} vs started_s"]  # one plot, not one per column
    out = capsys.readouterr().out
    assert "started_s" in out  # BestEffortCallback's own table shows the dimensions
    _check_descriptor_hints(watched.docs)

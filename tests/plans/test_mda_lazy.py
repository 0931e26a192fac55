"""The MDA plans as it goes: a time-lapse of any length starts at once and never stalls the loop.

Pre-flight checks look at one timepoint only, yet refuse what the whole run would do wrong and
count its frames exactly; every move and frame has a time limit, so a hung part fails the run.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import pytest
import useq
from _sim_scope import make_scope, release
from test_mda_order import CASES

from skyscope.devices import Status
from skyscope.devices.sim import CameraSettings, Microscope
from skyscope.engine import Engine, WaitTimeout
from skyscope.plans import _mda_events as events_module
from skyscope.plans import _mda_outline as outline_module
from skyscope.plans import _mda_timeouts as timeouts_module
from skyscope.plans import mda, replace_msgs

FRAMES = 100_000


@pytest.fixture
async def scope() -> AsyncIterator[Microscope]:
    microscope = await make_scope()
    yield microscope
    await release(microscope)


async def _ticker(gaps: list[float], period: float = 0.001) -> None:
    """Measure how late the loop wakes this task: a stall shows as a long gap."""
    last = time.perf_counter()
    while True:
        await asyncio.sleep(period)
        now = time.perf_counter()
        gaps.append(now - last - period)
        last = now


async def test_a_long_time_lapse_starts_at_once_without_stalling_the_loop() -> None:
    scope = await make_scope(shape=(16, 16), camera=CameraSettings(exposure_s=1e-6))
    sequence = useq.MDASequence(time_plan={"interval": 0, "loops": FRAMES})
    engine = Engine(md={}, handle_sigint=False)
    arrivals: list[tuple[str, float]] = []
    enough = asyncio.Event()

    def watch(name: str, doc: Any) -> None:
        arrivals.append((name, time.perf_counter()))
        if sum(n == "event" for n, _ in arrivals) >= 200:
            enough.set()

    # a first short run pays the one-off costs (imports, the camera's first frame) up front
    await engine(mda(useq.MDASequence(time_plan={"interval": 0, "loops": 2}), scope))
    engine.subscribe(watch)
    gaps: list[float] = []
    ticker = asyncio.create_task(_ticker(gaps))
    await asyncio.sleep(0.01)  # let the ticker find its pace before the plan starts
    gaps.clear()
    started = time.perf_counter()
    run = asyncio.create_task(engine(mda(sequence, scope)))
    try:
        async with asyncio.timeout(30):
            await enough.wait()
        stall = max(gaps)
    finally:
        ticker.cancel()
        result = await engine.abort("enough frames to measure")
        await asyncio.gather(ticker, return_exceptions=True)
        await run
        await release(scope)

    first_doc = arrivals[0][1] - started
    first_event = next(t for n, t in arrivals if n == "event") - started
    print(
        f"\n{FRAMES}-frame time-lapse: first document after {first_doc * 1e3:.1f} ms, first "
        f"frame after {first_event * 1e3:.1f} ms; longest loop stall {stall * 1e3:.1f} ms"
    )
    assert arrivals[0][0] == "start"
    assert first_doc < 0.5  # ~10 ms here; listing the sequence first took 11 s
    assert stall < 0.05  # ~10 ms here: useq runs on a worker thread, in blocks of timepoints
    assert result.exit_status == "abort"


LONG_CASES = {
    "af-every-timepoint": {
        "time_plan": {"interval": 0.5, "loops": 7},
        "stage_positions": [(0, 0, 2500)],
        "channels": ["DAPI", {"config": "FITC", "acquire_every": 3}],
        "autofocus_plan": {"axes": ("t",)},
    },
    "af-per-position-z-stack": {
        "time_plan": {"interval": 0.1, "loops": 5},
        "stage_positions": [(0, 0, 2500), (10, 0, 2500)],
        "z_plan": {"range": 2, "step": 1},
        "autofocus_plan": {"axes": ("p",)},
    },
    "one-position-af-once": {
        "time_plan": {"interval": 0.1, "loops": 5},
        "stage_positions": [(0, 0, 2500)],
        "autofocus_plan": {"axes": ("p",)},
    },
    "sub-sequences-and-grid": {
        "time_plan": {"duration": 2, "loops": 9},
        "stage_positions": [
            (0, 0, 2500),
            {"x": 9, "y": 9, "sequence": {"grid_plan": {"rows": 1, "columns": 2}}},
        ],
        "channels": [{"config": "DAPI", "acquire_every": 2}],
    },
    "multi-phase": {
        "time_plan": {"phases": [{"interval": 0.1, "loops": 4}, {"interval": 1, "loops": 3}]},
        "channels": ["DAPI"],
    },
    "interval-duration": {"time_plan": {"interval": 0.25, "duration": 2}},
}


@pytest.mark.parametrize("block", [2, 3])
@pytest.mark.parametrize(
    "sequence",
    [c.sequence for c in CASES] + list(LONG_CASES.values()),
    ids=[c.name for c in CASES] + list(LONG_CASES),
)
def test_events_come_as_useq_lists_them_however_the_time_plan_is_split(
    sequence: dict[str, Any], block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(events_module, "BLOCK_TIMEPOINTS", block)
    expected = list(useq.MDASequence(**sequence))
    got = list(events_module.iter_events(useq.MDASequence(**sequence)))
    assert [e.model_dump(exclude={"sequence"}) for e in got] == [
        e.model_dump(exclude={"sequence"}) for e in expected
    ]


def test_long_time_plans_go_to_useq_in_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events_module, "BLOCK_TIMEPOINTS", 2)
    for sequence in LONG_CASES.values():
        assert events_module._block_size(useq.MDASequence(**sequence)) is not None
    lapse = useq.MDASequence(time_plan={"interval": 0, "loops": FRAMES})
    monkeypatch.setattr(events_module, "BLOCK_TIMEPOINTS", 500)
    assert events_module._block_size(lapse) == 500


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_num_points_counts_every_frame_from_one_timepoint(case: Any) -> None:
    sequence = useq.MDASequence(**case.sequence)
    frames = [e for e in sequence if e.action is None or e.action.type != "hardware_autofocus"]
    shape = await outline_module.outline(sequence, ["DAPI", "FITC", "TRITC", "Cy5"])
    assert shape.frames == len(frames)
    assert shape.timepoints == len(list(sequence.time_plan or [0]))


async def test_num_points_is_unknown_where_only_listing_could_tell() -> None:
    sequence = useq.MDASequence(
        time_plan={"interval": 0, "loops": 4},
        channels=[{"config": "DAPI", "acquire_every": 2}],
        stage_positions=[{"x": 0, "y": 0, "sequence": {"z_plan": {"range": 1, "step": 1}}}],
    )
    shape = await outline_module.outline(sequence, ["DAPI"])
    assert shape.frames is None


async def test_a_long_time_lapse_is_refused_up_front_for_a_channel_the_wheel_lacks(
    scope: Microscope,
) -> None:
    sequence = useq.MDASequence(
        time_plan={"interval": 0, "loops": FRAMES},
        stage_positions=[
            (0, 0, 2500),
            {"x": 10, "y": 0, "z": 2500, "sequence": {"channels": ["Nonexistent"]}},
        ],
    )
    engine = Engine(md={}, handle_sigint=False)
    docs: list[str] = []
    engine.subscribe(lambda name, doc: docs.append(name))
    with pytest.raises(ValueError, match="channel 'Nonexistent' is not on the filter wheel"):
        await asyncio.wait_for(engine(mda(sequence, scope)), timeout=10)
    assert docs == []


async def test_a_target_past_the_limits_is_refused_before_anything_moves(
    scope: Microscope,
) -> None:
    where = await scope.xy.locate()
    sequence = useq.MDASequence(
        time_plan={"interval": 0, "loops": FRAMES}, stage_positions=[(1e9, 0, 2500)]
    )
    engine = Engine(md={}, handle_sigint=False)
    with pytest.raises(ValueError, match=re.escape("the sequence moves x to 1000000000.0")):
        await engine(mda(sequence, scope))
    assert await scope.xy.locate() == where


async def test_every_move_and_frame_has_a_time_limit(scope: Microscope) -> None:
    await scope.xy.set((0.0, 0.0))
    for axis in (scope.xy.x, scope.xy.y):
        await axis.velocity.set(1000.0)  # µm/s, read once before the run
    sequence = useq.MDASequence(
        stage_positions=[(0, 0, 2500), (500, 0, 2500)],
        channels=[{"config": "DAPI", "exposure": 20}],
    )
    seen: list[Any] = []

    def record(msg: Any) -> Any:
        seen.append(msg)
        return msg

    engine = Engine(md={}, handle_sigint=False)
    await engine(replace_msgs(mda(sequence, scope), record))

    sets = [m for m in seen if m.command == "set"]
    triggers = [m for m in seen if m.command == "trigger"]
    assert len(triggers) == 2
    assert all(m.kwargs.get("timeout") is not None for m in sets + triggers)
    long_move = next(m for m in sets if m.obj is scope.xy and m.args[0] == (500.0, 0.0))
    assert long_move.kwargs["timeout"] == pytest.approx(10.0 + 3.0 * 0.5)  # floor + 3 x travel
    frame_limit = triggers[0].kwargs["timeout"]
    assert 10.0 < frame_limit < 11.0  # 2 x (20 ms exposure + readout) + a 10 s margin


class StuckFocus:
    """A focus drive whose moves never finish (a hung controller) until stopped.

    A real device made here, not a mock: skyscope Statuses waiting on an event never set.
    """

    name = "stuck_focus"
    parent = None

    def __init__(self) -> None:
        self.stopped = 0
        self._moves: list[Status[None]] = []

    def set(self, value: float) -> Status[None]:
        status = Status(asyncio.Event().wait(), name=self.name, action=f"set({value!r})")
        self._moves.append(status)
        return status

    async def locate(self) -> dict[str, float]:
        return {"setpoint": 2500.0, "readback": 2500.0}

    async def stop(self, success: bool = True) -> None:
        self.stopped += 1
        for status in self._moves:
            status.cancel("stopped")


class _Scope:
    """The simulated microscope with its focus drive swapped for a hung one."""

    def __init__(self, scope: Microscope, focus: StuckFocus) -> None:
        self.name = "scope-with-stuck-focus"
        self.camera, self.xy, self.filter_wheel = scope.camera, scope.xy, scope.filter_wheel
        self.focus = focus
        self._scope = scope

    def stage(self) -> Any:
        return self._scope.stage()

    def unstage(self) -> Any:
        return self._scope.unstage()


async def test_a_hung_focus_drive_fails_the_mda_at_its_limit(
    scope: Microscope, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timeouts_module, "UNKNOWN_MOVE_S", 0.2)  # it says no velocity
    focus = StuckFocus()
    sequence = useq.MDASequence(z_plan={"range": 2, "step": 1}, stage_positions=[(0, 0, 2500)])
    engine = Engine(md={}, handle_sigint=False)
    stops: list[Any] = []
    engine.subscribe(lambda name, doc: stops.append(doc) if name == "stop" else None)

    async def plan() -> AsyncGenerator[Any, Any]:
        yield mda(sequence, _Scope(scope, focus))

    with pytest.raises(WaitTimeout, match=r"set\(2499.0\) of 'stuck_focus' did not finish within"):
        await asyncio.wait_for(engine(plan()), timeout=20)
    assert focus.stopped >= 1
    assert stops[0]["exit_status"] == "fail"

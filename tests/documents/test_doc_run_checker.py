"""Whole runs: RunChecker accepts skyscope's and bluesky's; bluesky consumes skyscope's."""

from __future__ import annotations

from typing import Any

import pytest
from _document_samples import CONTENTS, SCALARS, compose_sample_run
from event_model import RunRouter

from skyscope.documents import RunChecker, RunComposer


@pytest.mark.parametrize("contents", sorted(CONTENTS))
def test_composed_runs_are_consistent(contents: str) -> None:
    checker = RunChecker()
    checker.check_all(compose_sample_run(CONTENTS[contents]))
    assert checker.num_events["primary"] == 5


def test_runs_may_follow_one_another() -> None:
    checker = RunChecker()
    checker.check_all(compose_sample_run(SCALARS) + compose_sample_run(SCALARS))
    assert checker.num_events == {"primary": 5, "frames": 1}


class Counter:
    """A minimal bluesky Readable: a number that goes up each read."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.parent = None
        self.value = 0

    def describe(self) -> dict[str, Any]:
        return {self.name: {"source": f"test://{self.name}", "dtype": "integer", "shape": []}}

    def read(self) -> dict[str, Any]:
        self.value += 1
        return {self.name: {"value": self.value, "timestamp": 1.7e9 + self.value}}


def test_bluesky_run_engine_documents_pass_validation_and_checks() -> None:
    from bluesky import RunEngine
    from bluesky.plans import count

    docs: list[tuple[str, dict[str, Any]]] = []
    engine = RunEngine({"operator": "ada"}, call_returns_result=True)
    try:
        engine.subscribe(lambda name, doc: docs.append((name, doc)))
        engine(count([Counter("det"), Counter("ref")], num=3))
        engine(count([Counter("det")], num=2, md={"sample": {"name": "beads"}}))
    finally:
        engine.loop.call_soon_threadsafe(engine.loop.stop)
    checker = RunChecker()
    checker.check_all(docs)
    assert [name for name, _ in docs].count("start") == 2
    assert checker.num_events == {"primary": 2}


def test_bluesky_callbacks_consume_skyscope_documents(capsys: pytest.CaptureFixture[str]) -> None:
    from bluesky.callbacks.core import LiveTable

    seen: list[str] = []

    def factory(name: str, start: dict[str, Any]) -> tuple[list[Any], list[Any]]:
        return [lambda name, doc: seen.append(name), LiveTable(["motor", "counts"])], []

    router = RunRouter([factory])
    run = RunComposer({"plan_name": "count"})
    stream = run.descriptor("primary", SCALARS)
    router("start", run.start)
    router("descriptor", stream.doc)
    for i in range(2):
        row = {"motor": 1.5 + i, "counts": 40 + i, "shutter_open": True}
        router("event", stream.event(row, dict.fromkeys(row, 1.7e9)))
    router("stop", run.stop())
    table = capsys.readouterr().out
    assert "motor" in table
    assert "1.500" in table
    assert "41" in table
    assert seen[:2] == ["start", "descriptor"]
    assert seen[-1] == "stop"
    assert len(seen) == 5

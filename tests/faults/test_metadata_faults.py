"""Metadata documents cannot store is refused before the run: no document, no motion."""

from __future__ import annotations

import datetime
import decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from skyscope.engine import Engine
from skyscope.plans import scan


class Sample:
    """An object of the user's own, which documents cannot carry."""


# (value, the dotted key the message names, what the message says about it)
UNSTORABLE: list[tuple[str, Any, str, str]] = [
    ("datetime", datetime.datetime(2026, 1, 2, 3, 4, 5), "bad", "holds a datetime"),
    ("date", datetime.date(2026, 1, 2), "bad", "holds a date"),
    ("set", {1, 2}, "bad", "holds a set"),
    ("frozenset", frozenset({"a"}), "bad", "holds a frozenset"),
    ("bytes", b"\x00\x01", "bad", "holds a bytes"),
    ("path", Path("/data/run1"), "bad", "holds a PosixPath"),
    ("decimal", decimal.Decimal("1.5"), "bad", "holds a Decimal"),
    ("object", Sample(), "bad", "holds a Sample"),
    ("in a dict", {"when": {"at": datetime.datetime(2026, 1, 2)}}, "bad.when.at", "datetime"),
    ("in a list", [1, "two", {3}], "bad[2]", "holds a set"),
    ("in a list of dicts", [{"file": Path("x.tif")}], "bad[0].file", "holds a PosixPath"),
    ("non-string key", {"gains": {1: 2.0}}, "bad.gains", "has the key 1"),
]


def _where(source: str, value: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Engine md, plan md and call md with ``value`` under 'bad' in the one ``source`` names."""
    md: dict[str, dict[str, Any]] = {"engine": {}, "plan": {}, "call": {}}
    md[source]["bad"] = value
    return md["engine"], md["plan"], md["call"]


@pytest.mark.parametrize("source", ["engine", "plan", "call"])
@pytest.mark.parametrize(
    ("value", "key", "says"), [case[1:] for case in UNSTORABLE], ids=[c[0] for c in UNSTORABLE]
)
async def test_unstorable_metadata_is_refused_before_the_run(
    det, motor, source: str, value: Any, key: str, says: str
) -> None:
    engine_md, plan_md, call_md = _where(source, value)
    engine = Engine(md=engine_md, handle_sigint=False)
    docs: list[tuple[str, Any]] = []
    engine.subscribe(lambda name, doc: docs.append((name, doc)))
    with pytest.raises(ValueError, match=r"documents cannot carry|keys must be") as refused:
        await engine(scan([det], motor, 5.0, 6.0, num=3, md=plan_md), **call_md)
    message = str(refused.value)
    print(message)
    assert f"key {key!r}" in message
    assert says in message
    assert docs == []
    assert await motor.readback.get_value() == 0.0  # refused before the motor moved
    assert engine.state == "idle"


async def test_a_non_string_key_of_the_engine_md_is_refused(det, motor) -> None:
    engine = Engine(md={1: "one"}, handle_sigint=False)
    docs: list[tuple[str, Any]] = []
    engine.subscribe(lambda name, doc: docs.append((name, doc)))
    with pytest.raises(ValueError, match=r"engine\.md .*has the key 1; keys must be non-empty"):
        await engine(scan([det], motor, 5.0, 6.0, num=3))
    assert docs == []
    assert await motor.readback.get_value() == 0.0


@pytest.mark.parametrize("source", ["engine", "plan", "call"])
async def test_numpy_metadata_passes(det, motor, source: str) -> None:
    values = {
        "gain": np.float64(1.5),
        "binning": np.int32(2),
        "flip": np.bool_(True),
        "roi": np.arange(4, dtype=np.int64),
    }
    engine_md, plan_md, call_md = _where(source, values)
    engine = Engine(md=engine_md, handle_sigint=False)
    docs: list[tuple[str, Any]] = []
    engine.subscribe(lambda name, doc: docs.append((name, doc)))
    result = await engine(scan([det], motor, 5.0, 6.0, num=3, md=plan_md), **call_md)
    assert result.exit_status == "success"
    [start] = [doc for name, doc in docs if name == "start"]
    assert set(start["bad"]) == {"gain", "binning", "flip", "roi"}
    assert float(start["bad"]["gain"]) == 1.5
    assert list(start["bad"]["roi"]) == [0, 1, 2, 3]
    assert [name for name, _ in docs].count("event") == 3

"""A device whose readings contradict its described dtype does not fail the run (as in bluesky)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from skyscope.engine import Engine
from skyscope.plans import count


class FloatReadingIntegerAxis:
    """Describes its value as dtype 'integer' yet reads floats, as ophyd's pseudo3x3 axes do."""

    name = "axis"
    parent = None

    def read(self) -> dict[str, Any]:
        return {"axis-value": {"value": -0.0, "timestamp": 1.0}}

    def describe(self) -> dict[str, Any]:
        return {"axis-value": {"source": "soft", "dtype": "integer", "shape": []}}


async def test_wrong_dtype_is_logged_once_and_the_run_succeeds(
    engine: Engine, recorder, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="skyscope.documents")
    result = await engine(count([FloatReadingIntegerAxis()], 3))
    assert result.exit_status == "success"
    assert [e["data"]["axis-value"] for e in recorder.of("event")] == [-0.0] * 3
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warned) == 1
    for fragment in ("'axis'", "'axis-value'", "'integer'", "float"):
        assert fragment in warned[0]

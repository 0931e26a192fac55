"""A scalar value of the wrong dtype is emitted (event-model accepts it) and logged once per key."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pytest
from _document_samples import ARRAYS, SCALARS
from event_model import DocumentNames, schema_validators

from skyscope.documents import DocumentValidationError, RunComposer

ROW = {"motor": 1.0, "counts": 2, "shutter_open": False}
STAMPS = dict.fromkeys(ROW, 1.0)
LOGGER = "skyscope.documents._dtype_mismatch"
OWNED = {k: {**v, "object_name": "stage"} for k, v in SCALARS.items()}


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER and r.levelname == "WARNING"]


@pytest.mark.parametrize(
    ("key", "value", "dtype", "type_name"),
    [
        ("counts", np.float64(-0.0), "integer", "float64"),  # ophyd's pseudo3x3 axes
        ("counts", 2.5, "integer", "float"),
        ("motor", "fast", "number", "str"),
        ("motor", True, "number", "bool"),
        ("shutter_open", 1, "boolean", "int"),
    ],
)
def test_wrong_dtype_is_emitted_and_logged_once_per_key_per_run(
    caplog: pytest.LogCaptureFixture, key: str, value: Any, dtype: str, type_name: str
) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER)
    run = RunComposer({})
    primary, baseline = run.descriptor("primary", OWNED), run.descriptor("baseline", OWNED)
    events = [s.event({**ROW, key: value}, STAMPS) for s in (primary, primary, baseline)]
    for event in events:
        schema_validators[DocumentNames.event].validate(event)  # event-model accepts it
        assert event["data"][key] is value
    (message,) = _warnings(caplog)
    for fragment in ("'stage'", repr(key), repr(dtype), type_name):
        assert fragment in message


def test_a_page_row_of_the_wrong_dtype_is_emitted_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER)
    stream = RunComposer({}).descriptor("primary", OWNED)
    page = stream.event_page(
        {"motor": [1.0, "x"], "counts": [1, 2], "shutter_open": [True, False]},
        {k: [1.0, 2.0] for k in ROW},
    )
    schema_validators[DocumentNames.event_page].validate(page)
    (message,) = _warnings(caplog)
    assert "'motor'" in message
    assert "row 1" in message


def test_each_run_warns_afresh(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER)
    for _ in range(2):
        RunComposer({}).descriptor("primary", OWNED).event({**ROW, "counts": 0.5}, STAMPS)
    assert len(_warnings(caplog)) == 2


def test_what_the_schema_refuses_is_still_refused() -> None:
    stream = RunComposer({}).descriptor("primary", OWNED)
    with pytest.raises(DocumentValidationError, match="time"):
        stream.event(ROW, STAMPS, time="noon")
    with pytest.raises(DocumentValidationError, match="missing"):
        stream.event({"motor": 1.0}, STAMPS)


def test_an_array_of_the_wrong_shape_is_still_refused() -> None:
    stream = RunComposer({}).descriptor("primary", ARRAYS)
    data = {"image": np.zeros((6, 4)), "spectrum": np.zeros(3), "roi": [1, 2, 3]}
    with pytest.raises(DocumentValidationError, match="shape"):
        stream.event(data, dict.fromkeys(ARRAYS, 1.0))

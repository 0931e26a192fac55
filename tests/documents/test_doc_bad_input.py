"""Every malformed input is refused with a message that names the problem."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from _document_samples import ARRAYS, EXTERNAL, SCALARS

from skyscope.documents import (
    DocumentValidationError,
    RunChecker,
    RunComposer,
    StreamComposer,
    loads_named,
    pack_event_page,
    validate,
)

ROW = {"motor": 1.0, "counts": 2, "shutter_open": False}
STAMPS = dict.fromkeys(ROW, 1.0)


@dataclass(frozen=True)
class BadCase:
    id: str
    action: Callable[[], object]
    says: tuple[str, ...]  # fragments the message must contain


def _stream(keys: dict[str, Any] = SCALARS) -> StreamComposer:
    return RunComposer({}).descriptor("primary", keys)


def _event(**changes: Any) -> dict[str, Any]:
    return {
        "uid": "e1",
        "time": 1.0,
        "descriptor": "d1",
        "seq_num": 1,
        "data": {},
        "timestamps": {},
        **changes,
    }


def _stopped() -> RunComposer:
    run = RunComposer({})
    run.stop()
    return run


def _descriptor_with(**key: Any) -> Callable[[], object]:
    return lambda: RunComposer({}).descriptor("primary", {"det": key})


def _checked(*docs: tuple[str, dict[str, Any]]) -> Callable[[], object]:
    return lambda: RunChecker().check_all(docs)


START = {"uid": "s1", "time": 1.0}
DESC = {
    "uid": "d1",
    "time": 1.0,
    "run_start": "s1",
    "name": "primary",
    "data_keys": {"x": {"source": "s", "dtype": "number", "shape": []}},
}


def _ev(seq: int, descriptor: str = "d1") -> dict[str, Any]:
    return _event(
        uid=f"e{seq}", seq_num=seq, descriptor=descriptor, data={"x": 1.0}, timestamps={"x": 1.0}
    )


CASES = [
    # start documents
    BadCase(
        "start key with a dot", lambda: RunComposer({"a.b": 1}), ("start", "a.b", "'.' or '/'")
    ),
    BadCase(
        "nested start key with a slash",
        lambda: RunComposer({"sample": {"x/y": 1}}),
        ("sample.x/y", "'.' or '/'"),
    ),
    BadCase("metadata sets uid", lambda: RunComposer({"uid": "mine"}), ("may not set ['uid']",)),
    BadCase(
        "scan_id of the wrong type",
        lambda: RunComposer({"scan_id": "7"}),
        ("start", "scan_id", "integer", "'7'"),
    ),
    BadCase(
        "start time not a number",
        lambda: RunComposer({}, time="now"),  # type: ignore[arg-type]
        ("time", "number", "'now'"),
    ),
    # descriptors and data keys
    BadCase(
        "data key without dtype",
        _descriptor_with(source="s", shape=[]),
        ("descriptor", "data_keys.det.dtype", "missing"),
    ),
    BadCase(
        "data key with an unknown dtype",
        _descriptor_with(source="s", dtype="float", shape=[]),
        ("data_keys.det.dtype", "'float'"),
    ),
    BadCase(
        "data key shape not a list",
        _descriptor_with(source="s", dtype="array", shape="4x4"),
        ("data_keys.det.shape", "list"),
    ),
    BadCase(
        "data key external not capitals",
        _descriptor_with(source="s", dtype="array", shape=[2], external="stream:"),
        ("data_keys.det.external", "'stream:'"),
    ),
    BadCase(
        "data key dtype_numpy not a numpy string",
        _descriptor_with(source="s", dtype="number", shape=[], dtype_numpy="float64"),
        ("data_keys.det.dtype_numpy", "'float64'"),
    ),
    BadCase(
        "data key name with a dot",
        lambda: RunComposer({}).descriptor("p", {"det.x": SCALARS["motor"]}),
        ("data_keys.det.x", "'.' or '/'"),
    ),
    BadCase(
        "stream described again with other keys",
        lambda: _redescribe(),
        ("stream 'primary'", "['motor']", "same"),
    ),
    BadCase(
        "hint with a bad NeXus class",
        lambda: RunComposer({}).descriptor("p", SCALARS, hints={"NX_class": "detector"}),
        ("hints.NX_class", "'detector'"),
    ),
    # events
    BadCase(
        "event missing a data key",
        lambda: _stream().event({"motor": 1.0}, STAMPS),
        ("event", "stream 'primary'", "missing ['counts', 'shutter_open']"),
    ),
    BadCase(
        "event with an unexpected key",
        lambda: _stream().event({**ROW, "zzz": 1}, {**STAMPS, "zzz": 1.0}),
        ("unexpected ['zzz']",),
    ),
    BadCase(
        "array of the wrong shape",
        lambda: _stream(ARRAYS).event(
            {"image": np.zeros((6, 4)), "spectrum": np.zeros(3), "roi": [1, 2, 3]},
            dict.fromkeys(ARRAYS, 1.0),
        ),
        ("data['image']", "expected shape [4, 6]", "got shape [6, 4]"),
    ),
    BadCase(
        "array of the wrong element type",
        lambda: _stream(ARRAYS).event(
            {"image": np.zeros((4, 6)), "spectrum": np.zeros(3), "roi": ["a", "b", "c"]},
            dict.fromkeys(ARRAYS, 1.0),
        ),
        ("data['roi']", "number"),
    ),
    BadCase(
        "scalar where an array belongs",
        lambda: _stream(ARRAYS).event(
            {"image": 3.0, "spectrum": np.zeros(3), "roi": [1, 2, 3]}, dict.fromkeys(ARRAYS, 1.0)
        ),
        ("data['image']", "expected an array of shape [4, 6]"),
    ),
    BadCase(
        "timestamps missing a key",
        lambda: _stream().event(ROW, {"motor": 1.0, "counts": 1.0}),
        ("timestamps keys", "missing ['shutter_open']"),
    ),
    BadCase(
        "timestamp not a number",
        lambda: _stream().event(ROW, {**STAMPS, "motor": "noon"}),
        ("timestamps['motor']", "'noon'"),
    ),
    BadCase(
        "event time not a number",
        lambda: _stream().event(ROW, STAMPS, time="now"),  # type: ignore[arg-type]
        ("event", "time", "'now'"),
    ),
    BadCase(
        "filled names an unknown key",
        lambda: _stream(EXTERNAL).event(
            {"legacy": "r/0", "exposure": 1.0},
            {"legacy": 1.0, "exposure": 1.0},
            filled={"x": False},
        ),
        ("filled", "['x']"),
    ),
    BadCase(
        "event page columns of different lengths",
        lambda: _stream().event_page(
            {"motor": [1.0, 2.0], "counts": [1], "shutter_open": [True]}, {k: [1.0] for k in ROW}
        ),
        ("event_page", "differ in length"),
    ),
    # assets
    BadCase(
        "stream datum for a key the stream does not stream",
        lambda: _stream_datum("exposure"),
        ("stream_datum", "'exposure'", "not a STREAM: data key"),
    ),
    BadCase(
        "stream datum range backwards",
        lambda: _stream_datum("camera", (3, 1)),
        ("indices", "0 <= start <= stop", "(3, 1)"),
    ),
    BadCase(
        "datum page columns of different lengths",
        lambda: RunComposer({}).resource("S", "/", "a", {}).datum_page({"a": [1, 2], "b": [1]}),
        ("datum_page", "equal in length"),
    ),
    BadCase(
        "resource with unknown path semantics",
        lambda: RunComposer({}).resource("S", "/", "a", {}, path_semantics="mac"),  # type: ignore[arg-type]
        ("resource", "path_semantics", "'mac'"),
    ),
    # stop and after
    BadCase(
        "bad exit status",
        lambda: RunComposer({}).stop("crashed"),  # type: ignore[arg-type]
        ("stop", "exit_status", "'success', 'abort' or 'fail'", "'crashed'"),
    ),
    BadCase("second stop", lambda: _stopped().stop(), ("stop", "already stopped")),
    BadCase(
        "descriptor after stop",
        lambda: _stopped().descriptor("p", SCALARS),
        ("descriptor", "already stopped"),
    ),
    # validate() on documents from elsewhere
    BadCase(
        "unknown document kind", lambda: validate("evnt", {}), ("'evnt'", "unknown document kind")
    ),
    BadCase(
        "event missing seq_num",
        lambda: validate("event", {k: v for k, v in _event().items() if k != "seq_num"}),
        ("event", "seq_num: required field is missing"),
    ),
    BadCase(
        "event seq_num of the wrong type",
        lambda: validate("event", _event(seq_num="1")),
        ("seq_num", "integer", "'1'"),
    ),
    BadCase(
        "event with an extra field",
        lambda: validate("event", _event(colour="red")),
        ("colour", "unexpected field"),
    ),
    BadCase(
        "stream resource without a uri",
        lambda: validate(
            "stream_resource", {"uid": "u", "data_key": "c", "mimetype": "m", "parameters": {}}
        ),
        ("stream_resource", "uri: required field is missing"),
    ),
    BadCase(
        "stop time a string",
        lambda: validate(
            "stop", {"uid": "u", "time": "1", "run_start": "s", "exit_status": "success"}
        ),
        ("stop", "time", "'1'"),
    ),
    BadCase("not a mapping", lambda: validate("start", [1, 2]), ("start", "expected a mapping")),  # type: ignore[arg-type]
    # sequences of documents
    BadCase(
        "seq_num gap",
        _checked(("start", START), ("descriptor", DESC), ("event", _ev(1)), ("event", _ev(3))),
        ("event", "seq_num [3]", "'primary'", "should be [2]"),
    ),
    BadCase(
        "seq_num repeated",
        _checked(("start", START), ("descriptor", DESC), ("event", _ev(1)), ("event", _ev(1))),
        ("seq_num [1]", "should be [2]"),
    ),
    BadCase(
        "event for an unknown descriptor",
        _checked(("start", START), ("descriptor", DESC), ("event", _ev(1, "nope"))),
        ("event", "descriptor 'nope' is unknown"),
    ),
    BadCase("event before any start", _checked(("event", _ev(1))), ("no start document",)),
    BadCase(
        "descriptor of another run",
        _checked(("start", START), ("descriptor", {**DESC, "run_start": "other"})),
        ("descriptor", "run_start is 'other'", "'s1'"),
    ),
    BadCase(
        "datum of an unknown resource",
        _checked(
            ("start", START), ("datum", {"datum_id": "r/0", "resource": "r", "datum_kwargs": {}})
        ),
        ("datum", "resource 'r' is unknown"),
    ),
    BadCase(
        "stop that miscounts events",
        _checked(
            ("start", START),
            ("descriptor", DESC),
            ("event", _ev(1)),
            (
                "stop",
                {
                    "uid": "t",
                    "time": 2.0,
                    "run_start": "s1",
                    "exit_status": "success",
                    "num_events": {"primary": 2},
                },
            ),
        ),
        ("stop", "num_events", "says 2, saw 1"),
    ),
    BadCase(
        "document after stop",
        _checked(
            ("start", START),
            ("stop", {"uid": "t", "time": 2.0, "run_start": "s1", "exit_status": "fail"}),
            ("descriptor", DESC),
        ),
        ("descriptor", "has stopped"),
    ),
    BadCase(
        "second start while a run is open",
        _checked(("start", START), ("start", START)),
        ("start", "has not stopped"),
    ),
    BadCase(
        "packing events of two descriptors",
        lambda: pack_event_page(_event(descriptor="a"), _event(descriptor="b")),  # type: ignore[arg-type]
        ("event_page", "share a descriptor"),
    ),
    BadCase(
        "JSONL line that is not a named document", lambda: loads_named('{"doc": {}}'), ("name",)
    ),
]


def _redescribe() -> None:
    run = RunComposer({})
    run.descriptor("primary", {"motor": SCALARS["motor"]})
    run.descriptor("primary", SCALARS)


def _stream_datum(data_key: str, indices: tuple[int, int] = (0, 1)) -> None:
    run = RunComposer({})
    stream = run.descriptor("primary", EXTERNAL)
    resource = run.stream_resource(data_key, "application/x-hdf5", "file://localhost/a.h5", {})
    resource.stream_datum(stream, indices, (1, 2))


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_malformed_input_is_refused_with_a_clear_message(case: BadCase) -> None:
    with pytest.raises(DocumentValidationError) as caught:
        case.action()
    message = str(caught.value)
    missing = [fragment for fragment in case.says if fragment not in message]
    assert not missing, f"message {message!r} lacks {missing}"
    assert isinstance(caught.value, ValueError)

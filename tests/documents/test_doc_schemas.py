"""Every document skyscope composes is one event-model itself accepts (and vice versa)."""

from __future__ import annotations

import time

import numpy as np
import pytest
from _document_samples import ARRAYS, CONTENTS, Docs, compose_sample_run
from event_model import DocumentNames, compose_run, schema_validators

from skyscope.documents import DOCUMENT_NAMES, RunComposer, validate


@pytest.mark.parametrize("kind", DOCUMENT_NAMES)
@pytest.mark.parametrize("contents", sorted(CONTENTS))
def test_composed_documents_pass_event_models_schema(contents: str, kind: str) -> None:
    docs = [doc for name, doc in compose_sample_run(CONTENTS[contents]) if name == kind]
    assert docs, f"the sample run has no {kind} document"
    for doc in docs:
        schema_validators[DocumentNames[kind]].validate(doc)
        assert validate(kind, doc) is doc


def _event_model_run() -> Docs:
    run = compose_run(metadata={"plan_name": "scan", "sample": {"name": "beads"}})
    docs: Docs = [("start", run.start_doc)]
    keys = {
        "x": {"source": "sim://x", "dtype": "number", "shape": []},
        "img": {"source": "sim://img", "dtype": "array", "shape": [2, 2], "dtype_numpy": "<f8"},
        "cam": {
            "source": "sim://cam",
            "dtype": "array",
            "shape": [None, 2, 2],
            "external": "STREAM:",
        },
    }
    bundle = run.compose_descriptor(name="primary", data_keys=keys)
    docs.append(("descriptor", bundle.descriptor_doc))
    now = time.time()
    event = bundle.compose_event(
        data={"x": 1.0, "img": np.eye(2)}, timestamps={"x": now, "img": now}
    )
    docs.append(("event", event))
    page = bundle.compose_event_page(
        data={"x": [2.0, 3.0], "img": [np.eye(2), np.eye(2)]},
        timestamps={"x": [now, now], "img": [now, now]},
    )
    docs.append(("event_page", page))
    resource = run.compose_resource(
        spec="AD_HDF5", root="/", resource_path="a.h5", resource_kwargs={}
    )
    docs.append(("resource", resource.resource_doc))
    docs.append(("datum", resource.compose_datum(datum_kwargs={"point_number": 0})))
    docs.append(("datum_page", resource.compose_datum_page(datum_kwargs={"point_number": [1, 2]})))
    assert run.compose_stream_resource is not None
    stream_resource = run.compose_stream_resource(
        mimetype="application/x-hdf5",
        uri="file://localhost/a.h5",
        data_key="cam",
        parameters={"dataset": "/data"},
    )
    docs.append(("stream_resource", stream_resource.stream_resource_doc))
    datum = stream_resource.compose_stream_datum(
        indices={"start": 0, "stop": 3},
        seq_nums={"start": 1, "stop": 4},
        descriptor=bundle.descriptor_doc,
    )
    docs.append(("stream_datum", datum))
    docs.append(("stop", run.compose_stop()))
    return docs


def test_event_models_own_documents_pass_skyscope_validation() -> None:
    docs = _event_model_run()
    assert sorted({name for name, _ in docs}) == sorted(DOCUMENT_NAMES)
    for name, doc in docs:
        assert validate(name, doc) is doc


def test_a_page_of_numpy_columns_passes_event_models_schema() -> None:
    stream = RunComposer({}).descriptor("primary", ARRAYS)
    page = stream.event_page(
        {
            "image": np.zeros((3, 4, 6), np.uint16),
            "spectrum": np.ones((3, 5)),
            "roi": np.ones((3, 3)),
        },
        {key: np.full(3, 1.7e9) for key in ARRAYS},
        time=np.full(3, 1.7e9),
    )
    schema_validators[DocumentNames.event_page].validate(page)
    assert validate("event_page", page) is page

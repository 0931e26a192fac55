"""Realistic runs composed by skyscope, shared by the document tests."""

from __future__ import annotations

from typing import Any

import numpy as np

from skyscope.documents import DataKey, RunComposer

Docs = list[tuple[str, dict[str, Any]]]

SCALARS: dict[str, DataKey] = {
    "motor": {
        "source": "sim://motor",
        "dtype": "number",
        "shape": [],
        "units": "mm",
        "precision": 3,
        "limits": {"control": {"low": -10.0, "high": 10.0}},
    },
    "counts": {"source": "sim://counts", "dtype": "integer", "shape": [], "dtype_numpy": "<i8"},
    "shutter_open": {"source": "sim://shutter", "dtype": "boolean", "shape": []},
}
ARRAYS: dict[str, DataKey] = {
    "image": {
        "source": "sim://image",
        "dtype": "array",
        "shape": [4, 6],
        "dtype_numpy": "<u2",
        "dims": ["y", "x"],
    },
    "spectrum": {"source": "sim://spectrum", "dtype": "array", "shape": [None]},
    "roi": {"source": "sim://roi", "dtype": "number", "shape": [3]},
}
STRINGS: dict[str, DataKey] = {
    "objective": {
        "source": "sim://turret",
        "dtype": "string",
        "shape": [],
        "choices": ["10x", "40x", "60x"],
    },
    "note": {"source": "sim://note", "dtype": "string", "shape": [], "dtype_numpy": "|S40"},
}
EXTERNAL: dict[str, DataKey] = {
    "camera": {
        "source": "sim://camera",
        "dtype": "array",
        "shape": [None, 8, 8],
        "dtype_numpy": "<u2",
        "external": "STREAM:",
    },
    "legacy": {
        "source": "sim://legacy",
        "dtype": "array",
        "shape": [8, 8],
        "external": "FILESTORE:",
    },
    "exposure": {"source": "sim://exposure", "dtype": "number", "shape": []},
}


def _row(keys: dict[str, DataKey], i: int, datum_id: str) -> dict[str, Any]:
    values: dict[str, Any] = {
        "motor": 0.5 * i,
        "counts": np.int64(100 + i),
        "shutter_open": i % 2 == 0,
        "image": np.full((4, 6), i, dtype=np.uint16),
        "spectrum": np.linspace(0, 1, 5 + i),
        "roi": [1.0, 2.0, float(i)],
        "objective": ["10x", "40x", "60x"][i % 3],
        "note": f"frame {i}",
        "legacy": datum_id,
        "exposure": np.float64(0.01),
    }
    return {key: values[key] for key in keys if keys[key].get("external") != "STREAM:"}


def compose_sample_run(data_keys: dict[str, DataKey], events: int = 3) -> Docs:
    """Compose a run with every document kind: events and a page, datums, stream datums."""
    docs: Docs = []
    run = RunComposer(
        {
            "plan_name": "count",
            "scan_id": 7,
            "sample": {"name": "cells", "well": "A1"},
            "hints": {"dimensions": [(["time"], "primary")]},
            "operator": "ada",
        },
    )
    docs.append(("start", dict(run.start)))
    stream = run.descriptor(
        "primary",
        data_keys,
        configuration={
            "camera": {
                "data": {"camera-gain": 2.0},
                "timestamps": {"camera-gain": 1.0},
                "data_keys": {
                    "camera-gain": {"source": "sim://gain", "dtype": "number", "shape": []}
                },
            }
        },
        object_keys={"sample_device": list(data_keys)},
        hints={"sample_device": {"fields": list(data_keys)[:1]}},
    )
    docs.append(("descriptor", dict(stream.doc)))
    resource = run.resource("AD_HDF5", "/data", "run/legacy.h5", {"frame_per_point": 1})
    docs.append(("resource", dict(resource.doc)))
    stream_resource = run.stream_resource(
        "camera",
        "application/x-hdf5",
        "file://localhost/data/run/camera.h5",
        {"dataset": "/entry/data/data", "chunk_shape": [1, 8, 8]},
    )
    docs.append(("stream_resource", dict(stream_resource.doc)))
    for i in range(events):
        datum = resource.datum({"point_number": i})
        docs.append(("datum", dict(datum)))
        row = _row(data_keys, i, datum["datum_id"])
        docs.append(("event", dict(stream.event(row, dict.fromkeys(row, 1.7e9 + i)))))
    page_rows = [_row(data_keys, events + j, f"{resource.uid}/{events + j}") for j in range(2)]
    datum_page = resource.datum_page({"point_number": [events, events + 1]})
    docs.append(("datum_page", dict(datum_page)))
    columns = {key: [row[key] for row in page_rows] for key in page_rows[0]}
    page = stream.event_page(columns, {key: [1.8e9, 1.8e9 + 1] for key in columns})
    docs.append(("event_page", dict(page)))
    if "camera" in data_keys:
        sdatum = stream_resource.stream_datum(stream, (0, events + 2), (1, events + 3))
        docs.append(("stream_datum", dict(sdatum)))
    else:
        other = run.descriptor("frames", {"camera": EXTERNAL["camera"]})
        docs.append(("descriptor", dict(other.doc)))
        docs.append(("event", dict(other.event({}, {}))))
        sdatum = stream_resource.stream_datum(other, (0, 1), (1, 2))
        docs.append(("stream_datum", dict(sdatum)))
    docs.append(("stop", dict(run.stop("success", "finished"))))
    return docs


CONTENTS: dict[str, dict[str, DataKey]] = {
    "scalars": SCALARS,
    "arrays": ARRAYS,
    "strings": STRINGS,
    "external": EXTERNAL,
    "everything": {**SCALARS, **ARRAYS, **STRINGS, **EXTERNAL},
}

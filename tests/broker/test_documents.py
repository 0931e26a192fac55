"""Every document kind is stored: pages unpacked, legacy assets kept, order preserved."""

from __future__ import annotations

from pathlib import Path

import event_model
import numpy as np
from _broker_docs import SCALAR_KEYS, RunDocs

from skyscope.broker import Catalog


def test_event_pages_are_read_as_events(tmp_path: Path, catalog_location: str) -> None:
    run = RunDocs({"sample": "pages"})
    run.descriptor("primary", dict(SCALAR_KEYS))
    events = [
        run.descriptors["primary"].compose_event(
            data={"x": float(i), "label": f"l{i}"},
            timestamps={"x": 1.0, "label": 1.0},
            time=100.0 + i,
            validate=False,
        )
        for i in range(5)
    ]
    page = event_model.pack_event_page(*events)
    docs = [*run.docs, ("event_page", page), ("stop", dict(run.bundle.compose_stop()))]
    with Catalog(catalog_location) as catalog:
        catalog.ingest(docs)
        data = catalog[-1]["primary"].read(as_xarray=False)
        np.testing.assert_array_equal(data["x"], np.arange(5.0))
        np.testing.assert_array_equal(data["seq_num"], np.arange(1, 6))
        np.testing.assert_array_equal(data["time"], 100.0 + np.arange(5))
        assert catalog[-1].num_events == 5
        stored = [doc for name, doc in catalog[-1].documents() if name == "event"]
        assert [e["uid"] for e in stored] == [e["uid"] for e in events]
        assert stored[2]["data"] == {"x": 2.0, "label": "l2"}


def test_legacy_resource_and_datum_documents_are_kept_in_order(
    tmp_path: Path, catalog_location: str
) -> None:
    run = RunDocs({"sample": "legacy"})
    resource_bundle = run.bundle.compose_resource(
        spec="AD_HDF5", root="/", resource_path="data/f.h5", resource_kwargs={"frame_per_point": 1}
    )
    resource = dict(resource_bundle.resource_doc)
    datums = [
        dict(resource_bundle.compose_datum(datum_kwargs={"point_number": i})) for i in range(2)
    ]
    page = dict(
        resource_bundle.compose_datum_page(datum_kwargs={"point_number": [2, 3]}, validate=False)
    )
    docs = [*run.docs, ("resource", resource), *(("datum", d) for d in datums)]
    docs.append(("datum_page", page))
    docs.append(("stop", dict(run.bundle.compose_stop())))
    with Catalog(catalog_location) as catalog:
        catalog.ingest(docs)
        names = [name for name, _ in catalog[-1].documents()]
        assert names == ["start", "resource", "datum", "datum", "datum", "datum", "stop"]
        datum_kwargs = [d["datum_kwargs"] for n, d in catalog[-1].documents() if n == "datum"]
        assert datum_kwargs == [{"point_number": i} for i in range(4)]

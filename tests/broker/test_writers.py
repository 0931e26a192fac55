"""Frames written by skyscope's own frame writers read back through the catalog unchanged."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _broker_docs import SCALAR_KEYS, RunDocs

from skyscope.broker import Catalog
from skyscope.writers import (
    FrameWriter,
    HDF5FrameWriter,
    ImageAxes,
    OMETiffFrameWriter,
    OMEZarrFrameWriter,
)

FRAME = (24, 32)
N_FRAMES = 7


def frame(i: int) -> np.ndarray:
    return ((np.arange(FRAME[0] * FRAME[1]).reshape(FRAME) * 13 + i * 101) % 4093).astype("<u2")


WRITERS: dict[str, Callable[[Path], FrameWriter]] = {
    "hdf5": lambda folder: HDF5FrameWriter(folder),
    "ome-zarr": lambda folder: OMEZarrFrameWriter(folder),
    "ome-zarr tcz": lambda folder: OMEZarrFrameWriter(
        folder, axes=ImageAxes(sizes={"t": 1, "c": 1, "z": N_FRAMES})
    ),
    "ome-tiff": lambda folder: OMETiffFrameWriter(folder),
}


@pytest.mark.parametrize("kind", list(WRITERS))
async def test_written_frames_read_back(tmp_path: Path, kind: str, catalog_location: str) -> None:
    writer = WRITERS[kind](tmp_path)
    data_keys = await writer.open("cam", FRAME, np.dtype("<u2"), source="sim://cam")
    run = RunDocs({"sample": "beads"})
    run.descriptor("primary", {**SCALAR_KEYS, **data_keys})
    descriptor_uid = run.descriptors["primary"].descriptor_doc["uid"]
    assets: list[tuple[str, dict[str, Any]]] = []
    written = 0
    for i in range(N_FRAMES):
        await writer.write(frame(i))
        if i in (2, N_FRAMES - 1):  # two flushes: two stream datums
            count = await writer.flush()
            for name, doc in writer.collect_stream_docs(count):
                doc = dict(doc)  # what the engine does: fill run_start, descriptor, seq_nums
                if name == "stream_resource":
                    doc["run_start"] = run.uid
                else:
                    n = doc["indices"]["stop"] - doc["indices"]["start"]
                    doc["descriptor"] = descriptor_uid
                    doc["seq_nums"] = {"start": written + 1, "stop": written + 1 + n}
                    written += n
                assets.append((name, doc))
    await writer.close()
    docs = [*run.docs]
    docs.extend(assets)
    for i in range(N_FRAMES):
        docs.append(run.event("primary", {"x": float(i), "label": f"p{i}"}))
    docs.append(run.stop())
    with Catalog(catalog_location) as catalog:
        catalog.ingest(docs)
        ds = catalog[-1]["primary"].read()
        np.testing.assert_array_equal(
            ds["cam"].values, np.stack([frame(i) for i in range(N_FRAMES)])
        )
        np.testing.assert_array_equal(ds["x"].values, np.arange(N_FRAMES, dtype=float))

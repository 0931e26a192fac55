"""Realistic document streams for the broker tests, composed with event-model (a test peer)."""

from __future__ import annotations

import random
import time
import uuid
from pathlib import Path
from typing import Any

import event_model
import numpy as np

Doc = tuple[str, dict[str, Any]]

HDF5 = "application/x-hdf5"
ZARR = "application/x-zarr"
TIFF = "multipart/related;type=image/tiff"


def file_uri(path: Path) -> str:
    return "file://localhost" + path.resolve().as_posix()


class RunDocs:
    """Compose one run's documents in order; ``docs`` is what an engine would have emitted."""

    def __init__(self, metadata: dict[str, Any] | None = None, *, validate: bool = False) -> None:
        self.validate = validate
        md = dict(metadata or {})
        uid, when = md.pop("uid", None), md.pop("time", None)
        self.bundle = event_model.compose_run(uid=uid, time=when, metadata=md, validate=validate)
        self.docs: list[Doc] = [("start", dict(self.bundle.start_doc))]
        self.descriptors: dict[str, Any] = {}
        self.resources: dict[str, Any] = {}

    @property
    def uid(self) -> str:
        return str(self.bundle.start_doc["uid"])

    def descriptor(self, name: str, data_keys: dict[str, dict[str, Any]]) -> Doc:
        bundle = self.bundle.compose_descriptor(
            name=name, data_keys=data_keys, validate=self.validate
        )
        self.descriptors[name] = bundle
        return self._emit("descriptor", bundle.descriptor_doc)

    def event(self, stream: str, data: dict[str, Any], when: float | None = None) -> Doc:
        now = time.time() if when is None else when
        doc = self.descriptors[stream].compose_event(
            data=data, timestamps=dict.fromkeys(data, now), time=now, validate=self.validate
        )
        return self._emit("event", doc)

    def stream_resource(
        self, data_key: str, mimetype: str, uri: str, parameters: dict[str, Any]
    ) -> Doc:
        bundle = self.bundle.compose_stream_resource(
            mimetype=mimetype, uri=uri, data_key=data_key, parameters=parameters
        )
        self.resources[bundle.stream_resource_doc["uid"]] = bundle
        return self._emit("stream_resource", bundle.stream_resource_doc)

    def stream_datum(
        self, resource_uid: str, stream: str, indices: tuple[int, int], seq: tuple[int, int]
    ) -> Doc:
        doc = self.resources[resource_uid].compose_stream_datum(
            indices={"start": indices[0], "stop": indices[1]},
            seq_nums={"start": seq[0], "stop": seq[1]},
            descriptor=self.descriptors[stream].descriptor_doc,
        )
        return self._emit("stream_datum", doc)

    def stop(self, exit_status: str = "success") -> Doc:
        return self._emit("stop", self.bundle.compose_stop(exit_status=exit_status))

    def _emit(self, name: str, doc: Any) -> Doc:
        item = (name, dict(doc))
        self.docs.append(item)
        return item


def frame_key(shape: tuple[int, ...], dtype: str = "<u2") -> dict[str, Any]:
    return {
        "source": "sim://camera",
        "dtype": "array",
        "shape": list(shape),
        "dtype_numpy": np.dtype(dtype).str,
        "external": "STREAM:",
    }


SCALAR_KEYS = {
    "x": {"source": "sim://x", "dtype": "number", "shape": [], "units": "um"},
    "label": {"source": "sim://label", "dtype": "string", "shape": []},
}


def camera_run(
    metadata: dict[str, Any],
    mimetype: str,
    uri: str,
    parameters: dict[str, Any],
    n_frames: int,
    frame_shape: tuple[int, ...],
    *,
    flushes: tuple[int, ...] = (),
) -> RunDocs:
    """A step-scan-like run: one event (x, label) and one frame per point, datums in chunks.

    ``flushes`` are the frame counts at which a stream datum is emitted (the last is n_frames).
    """
    run = RunDocs(metadata)
    run.descriptor("primary", {**SCALAR_KEYS, "cam": frame_key(frame_shape)})
    (_, resource) = run.stream_resource("cam", mimetype, uri, parameters)
    done = 0
    for stop in (*flushes, n_frames):
        if stop <= done:
            continue
        run.stream_datum(resource["uid"], "primary", (done, stop), (done + 1, stop + 1))
        for i in range(done, stop):
            run.event("primary", {"x": i * 0.5, "label": f"p{i}"})
        done = stop
    run.stop()
    return run


WORDS = ["focus", "drift", "calibration", "overnight", "bleach", "tile", "mosaic", "live"]
SAMPLES = ["beads", "cells", "beads-2", "Beads", "tissue", "BEADS_large", "cells beads"]
PLANS = ["count", "scan", "grid_scan", "tile"]
OPERATORS = ["ada", "grace", "linus", "ada lovelace"]


def varied_metadata(rng: random.Random, index: int, t0: float) -> dict[str, Any]:
    """Start metadata with a mix of kinds: text, numbers, bools, None, lists, nested dicts."""
    md: dict[str, Any] = {
        "uid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "time": t0 + index * 60 + rng.random(),
        "scan_id": index // 3 + 1,  # some scan ids repeat: the newest such run wins
        "plan_name": rng.choice(PLANS),
        "operator": rng.choice(OPERATORS),
        "exposure": round(rng.uniform(0.001, 1.0), 4),
        "binning": rng.choice([1, 2, 4]),
        "flag": rng.random() < 0.5,
        "tags": rng.sample(WORDS, rng.randint(0, 3)),
        "detector": {"name": rng.choice(["cam1", "cam2"]), "gain": rng.choice([1, 2, 8])},
        "note": " ".join(rng.sample(WORDS, 2)),
    }
    if rng.random() < 0.9:
        md["sample"] = rng.choice(SAMPLES)
    temperature = rng.random()
    if temperature < 0.6:
        md["temperature"] = rng.randint(18, 40)
    elif temperature < 0.8:
        md["temperature"] = "room"
    elif temperature < 0.9:
        md["temperature"] = None
    return md


def small_run(
    metadata: dict[str, Any], n_events: int = 2, *, stop: bool = True, exit_status: str = "success"
) -> RunDocs:
    """A run with scalar events only."""
    run = RunDocs(metadata)
    run.descriptor("primary", dict(SCALAR_KEYS))
    when = float(metadata.get("time", time.time()))
    for i in range(n_events):
        run.event("primary", {"x": float(i), "label": f"e{i}"}, when=when + i)
    if stop:
        run.stop(exit_status)
    return run

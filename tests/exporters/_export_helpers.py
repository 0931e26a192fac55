"""Helpers for the exporter and engine-with-writer tests: real runs of the simulated microscope."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Iterable
from pathlib import Path
from typing import Any

import h5py
from event_model import DocumentNames, schema_validators

from _wrapped_sink import WrappedSink
from skyscope.devices.sim import CameraSettings, Microscope, SensorSpec
from skyscope.documents import to_json
from skyscope.engine import Engine, RunResult
from skyscope.plans import (
    close_run,
    collect,
    complete,
    declare_stream,
    kickoff,
    open_run,
    prepare,
    stage,
    unstage,
)
from skyscope.writers import Frame, FrameSink, FrameWriter, HDF5FrameWriter

SENSOR = SensorSpec(shape=(48, 64))
FRAME_SHAPE = (48, 64)
IMAGE = "scope-camera-image"


class Recorder:
    """A subscriber keeping every document, each checked against event-model's JSON schema."""

    def __init__(self) -> None:
        self.docs: list[tuple[str, Any]] = []

    def __call__(self, name: str, doc: Any) -> None:
        schema_validators[DocumentNames[name]].validate(doc)
        self.docs.append((name, doc))

    def of(self, kind: str) -> list[Any]:
        return [doc for name, doc in self.docs if name == kind]

    def events(self, stream: str = "primary") -> list[Any]:
        """The events of one stream, in order (an MDA also reads a baseline)."""
        uids = {d["uid"] for d in self.of("descriptor") if d["name"] == stream}
        return [e for e in self.of("event") if e["descriptor"] in uids]

    def of_named(self, kind: str) -> list[tuple[str, Any]]:
        return [(name, doc) for name, doc in self.docs if name == kind]


class RecordingHDF5Writer(HDF5FrameWriter):
    """A real HDF5 frame writer that also keeps a copy of every frame the camera handed it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.frames: list[Frame] = []

    async def write(self, frame: Frame) -> int:
        self.frames.append(frame.copy())
        return await super().write(frame)


async def microscope(writer: FrameWriter | None = None, **kwargs: Any) -> Microscope:
    """A connected 48x64-pixel simulated microscope, not waiting out exposures."""
    options = {"seed": 5, "sensor": SENSOR, "camera": CameraSettings(exposure_s=0.01), **kwargs}
    scope = Microscope(writer=writer, realtime=False, **options)
    await scope.connect()
    return scope


async def run(plan: Any, *subscribers: Any, **md: Any) -> tuple[RunResult, Recorder]:
    """Run ``plan`` on a fresh engine (failures returned, not raised) with ``subscribers``."""
    engine = Engine(md={}, handle_sigint=False, raise_on_fail=False)
    recorder = Recorder()
    engine.subscribe(recorder)
    for subscriber in subscribers:
        engine.subscribe(subscriber)
    result = await engine(plan, **md)
    return result, recorder


async def sequence(camera: Any, lengths: list[int]) -> AsyncGenerator[Any, Any]:
    """A flyer run: one sequence per entry of ``lengths``, each collected once it is complete."""
    yield stage(camera)
    yield open_run({"plan_name": "sequence"})
    yield declare_stream(camera, name="primary", collect=True)
    for frames in lengths:
        yield prepare(camera, frames, wait=True)
        yield kickoff(camera, wait=True)
        yield complete(camera, wait=True)
        yield collect(camera, name="primary")
    yield close_run()
    yield unstage(camera)


def plain(docs: Iterable[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """Documents as JSON would give them back (arrays as lists), for comparisons."""
    return [(name, json.loads(to_json(doc))) for name, doc in docs]


def frame_file(resource: dict[str, Any]) -> Path:
    return Path(resource["uri"].removeprefix("file://localhost"))


def referenced_frames(recorder: Recorder) -> list[Frame]:
    """Read back, with h5py, every frame the run's stream datums reference, in order."""
    resources = {doc["uid"]: doc for doc in recorder.of("stream_resource")}
    frames: list[Frame] = []
    for datum in recorder.of("stream_datum"):
        resource = resources[datum["stream_resource"]]
        with h5py.File(frame_file(resource), "r") as file:
            data = file[resource["parameters"]["dataset"]]
            frames.extend(data[datum["indices"]["start"] : datum["indices"]["stop"]])
    return frames


def assert_same_frames(got: Iterable[Frame], expected: Iterable[Frame]) -> None:
    got, expected = list(got), list(expected)
    assert len(got) == len(expected)
    for i, (a, b) in enumerate(zip(got, expected, strict=True)):
        assert (a.dtype, a.shape) == (b.dtype, b.shape), f"frame {i}"
        assert a.tobytes() == b.tobytes(), f"frame {i} differs"


class DyingWriter(RecordingHDF5Writer):
    """A real HDF5 writer whose worker thread raises MemoryError when it reaches ``fail_at``."""

    def __init__(self, path: Path, *, fail_at: int, **kwargs: Any) -> None:
        super().__init__(path, **kwargs)
        self.fail_at = fail_at

    def _create_sink(self, path: Path, data_key: str, frame_shape: Any, dtype: Any) -> FrameSink:
        inner = super()._create_sink(path, data_key, frame_shape, dtype)
        return WrappedSink(inner, fail_at=self.fail_at)

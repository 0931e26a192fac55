"""OME export after the fact, of bursts and plain runs, and of input it must refuse."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tifffile
import useq
import zarr
from _export_helpers import (
    FRAME_SHAPE,
    Recorder,
    RecordingHDF5Writer,
    assert_same_frames,
    frame_file,
    sequence,
)
from ome_types import from_xml
from test_export_ome import mda_scope, release

from skyscope.engine import Engine
from skyscope.exporters import JSONLExporter, OMETiffExporter, OMEZarrExporter, read_jsonl
from skyscope.plans import count, mda


async def _run(plan_for: Any, writer: Any, *subscribers: Any) -> Recorder:
    """Run the plan ``plan_for(scope)`` makes, on a small simulated microscope."""
    scope = await mda_scope(writer)
    engine = Engine(md={}, handle_sigint=False)
    docs = Recorder()
    for subscriber in (docs, *subscribers):
        engine.subscribe(subscriber)
    try:
        await engine(plan_for(scope))
    finally:
        await release(scope)
    return docs


def _tiff(path: Path) -> tuple[np.ndarray, Any]:
    with tifffile.TiffFile(path) as tiff:
        return tiff.series[0].asarray(), from_xml(tiff.ome_metadata)


async def test_stored_documents_export_the_same_files_as_a_live_run(tmp_path: Path) -> None:
    writer = RecordingHDF5Writer(tmp_path / "frames")
    live, jsonl = OMETiffExporter(tmp_path / "live"), JSONLExporter(tmp_path / "docs")
    sequence = useq.MDASequence(channels=["DAPI", "FITC"], z_plan={"range": 1, "step": 0.5})
    await _run(
        lambda scope: mda(sequence, scope, md={"pixel_size_um": [0.5, 0.6]}), writer, live, jsonl
    )
    (stored,) = jsonl.paths
    later = OMETiffExporter(tmp_path / "later").export(read_jsonl(stored))
    (zarr_path,) = OMEZarrExporter(tmp_path / "later", compression="zstd").export(
        read_jsonl(stored)
    )
    (live_pixels, live_ome), (later_pixels, later_ome) = _tiff(live.paths[0]), _tiff(later[0])
    assert live_ome == later_ome
    assert live_pixels.shape == (2, 3, *FRAME_SHAPE)  # c, z (t of size 1 squeezed by tifffile)
    assert_same_frames(list(later_pixels.reshape(-1, *FRAME_SHAPE)), writer.frames)
    assert np.array_equal(np.asarray(zarr.open_group(zarr_path, mode="r")["0/0"])[0], live_pixels)
    pixels = later_ome.images[0].pixels
    assert (pixels.physical_size_y, pixels.physical_size_x) == (0.5, 0.6)
    assert pixels.physical_size_z == pytest.approx(0.5)


async def test_a_burst_is_a_time_series_with_each_frames_start(tmp_path: Path) -> None:
    writer = RecordingHDF5Writer(tmp_path / "frames")
    exporter = OMEZarrExporter(tmp_path / "out")
    sequence = useq.MDASequence(time_plan={"interval": 0, "loops": 6}, channels=["FITC"])
    sequences: list[int] = []

    def plan(scope: Any) -> Any:
        async def burst() -> Any:
            yield mda(sequence, scope)
            sequences.append(len(scope.camera.sequence_timestamps))

        return burst()

    docs = await _run(plan, writer, exporter)
    assert sequences == [6]  # all six frames in one camera sequence
    (path,) = exporter.paths
    frames = np.asarray(zarr.open_group(path, mode="r")["0/0"])
    assert frames.shape == (6, 1, 1, *FRAME_SHAPE)
    assert_same_frames(list(frames.reshape(-1, *FRAME_SHAPE)), writer.frames)
    ome = from_xml((path / "OME" / "METADATA.ome.xml").read_text())
    started = [event["data"]["started_s"] for event in docs.events()]
    assert [plane.delta_t for plane in ome.images[0].pixels.planes] == started
    assert ome.images[0].pixels.time_increment > 0  # measured: the sequence's interval is 0
    multiscale = zarr.open_group(path, mode="r")["0"].attrs["ome"]["multiscales"][0]
    assert {axis["name"]: axis.get("unit") for axis in multiscale["axes"]}["x"] == "micrometer"
    pixel_size = docs.of("start")[0]["pixel_size_um"]  # the MDA records the scope's pixel size
    scale = multiscale["datasets"][0]["coordinateTransformations"][0]["scale"]
    assert scale[-2:] == [pixel_size, pixel_size]


async def test_a_run_without_mda_indices_is_a_time_series(tmp_path: Path) -> None:
    writer = RecordingHDF5Writer(tmp_path / "frames")
    exporter = OMETiffExporter(tmp_path / "out")
    docs = await _run(lambda scope: count([scope.camera], 4), writer, exporter)
    pixels, ome = _tiff(exporter.paths[0])
    assert_same_frames(list(pixels), writer.frames)
    image = ome.images[0]
    assert (image.name, image.pixels.size_t, image.pixels.size_c) == ("p0", 4, 1)
    assert image.pixels.physical_size_x is None
    events = docs.of("event")
    start = docs.of("start")[0]["time"]
    deltas = [plane.delta_t for plane in image.pixels.planes]
    assert deltas == [pytest.approx(event["time"] - start) for event in events]


async def test_frames_collected_from_a_flyer_are_a_time_series(tmp_path: Path) -> None:
    writer = RecordingHDF5Writer(tmp_path / "frames")
    exporter = OMEZarrExporter(tmp_path / "out")
    docs = await _run(lambda scope: sequence(scope.camera, [3, 2]), writer, exporter)
    assert docs.of("event") == []  # only stream datums reference the frames
    (path,) = exporter.paths
    frames = np.asarray(zarr.open_group(path, mode="r")["0/0"])
    assert frames.shape == (5, 1, 1, *FRAME_SHAPE)
    assert_same_frames(list(frames.reshape(-1, *FRAME_SHAPE)), writer.frames)
    planes = from_xml((path / "OME" / "METADATA.ome.xml").read_text()).images[0].pixels.planes
    assert [(plane.the_t, plane.delta_t) for plane in planes] == [(t, None) for t in range(5)]


async def test_bad_input_is_refused_with_a_reason(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"pixel_size_um .* positive number"):
        OMETiffExporter(tmp_path, pixel_size_um=-0.5)
    with pytest.raises(ValueError, match=r"\(y, x\) pair"):
        OMEZarrExporter(tmp_path, pixel_size_um=(0.5, 0.5, 0.5))
    with pytest.raises(ValueError, match="compression"):
        OMEZarrExporter(tmp_path, compression="lzma")  # type: ignore[arg-type]
    writer = RecordingHDF5Writer(tmp_path / "frames")
    docs = await _run(lambda scope: count([scope.camera, scope.focus], 2), writer)
    with pytest.raises(ValueError, match=r"no data key 'nope'.*scope-camera-image"):
        OMETiffExporter(tmp_path / "a", image_key="nope").export(docs.docs)
    (first,) = OMETiffExporter(tmp_path / "b").export(docs.docs)
    written = first.read_bytes()
    with pytest.raises(FileExistsError):
        OMETiffExporter(tmp_path / "b").export(docs.docs)
    assert first.read_bytes() == written  # never overwritten
    assert OMETiffExporter(tmp_path / "c", stream="baseline").export(docs.docs) == []
    for resource in docs.of("stream_resource"):
        frame_file(resource).unlink()
    for exporter in (OMETiffExporter(tmp_path / "d"), OMEZarrExporter(tmp_path / "d")):
        with pytest.raises(FileNotFoundError, match=r"frames of stream resource .* are gone"):
            exporter.export(docs.docs)
    assert list((tmp_path / "d").iterdir()) == []  # nothing half-written left behind


def _edited(
    docs: list[tuple[str, Any]], edit: Any, kind: str = "descriptor"
) -> list[tuple[str, Any]]:
    """The documents with each one of ``kind`` changed by ``edit``."""
    edited = copy.deepcopy(docs)
    for name, doc in edited:
        if name == kind:
            edit(doc)
    return edited


async def test_the_frames_and_pixel_size_come_from_the_descriptor(tmp_path: Path) -> None:
    writer = RecordingHDF5Writer(tmp_path / "frames")
    docs = (await _run(lambda scope: count([scope.camera], 2), writer)).docs

    def with_pixel_size(descriptor: dict[str, Any]) -> None:
        descriptor["configuration"]["objective"] = {
            "data": {"objective-pixel_size_um": 0.325},
            "timestamps": {"objective-pixel_size_um": 0.0},
            "data_keys": {"objective-pixel_size_um": {"source": "sim", "dtype": "number"}},
        }

    (path,) = OMETiffExporter(tmp_path / "a").export(_edited(docs, with_pixel_size))
    assert _tiff(path)[1].images[0].pixels.physical_size_x == 0.325

    def two_images(descriptor: dict[str, Any]) -> None:
        keys = descriptor["data_keys"]
        keys["other-image"] = dict(keys["scope-camera-image"])

    with pytest.raises(ValueError, match=r"several images.*image_key="):
        OMETiffExporter(tmp_path / "b").export(_edited(docs, two_images))
    (path,) = OMETiffExporter(tmp_path / "c", image_key="scope-camera-image").export(
        _edited(docs, two_images)
    )
    assert_same_frames(list(_tiff(path)[0]), writer.frames)

    def at_one_place(event: dict[str, Any]) -> None:
        event["data"].update(t=0, p=0, g=-1, c=0, z=0)

    (path,) = OMEZarrExporter(tmp_path / "d").export(_edited(docs, at_one_place, "event"))
    image = zarr.open_group(path, mode="r")["0"]
    assert_same_frames([np.asarray(image["0"])[0, 0, 0]], writer.frames[-1:])  # the last kept
    assert image.attrs["skyscope"]["repeated_planes"] == [[0, 0, 0]]

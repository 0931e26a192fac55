"""mda(output=...): one image per position, written as it comes, read by the formats' readers."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest
import tifffile
import useq
import yaozarrs
import zarr
from _docs import stream_events
from _sim_scope import make_scope, release
from ome_types import from_xml

from skyscope.broker import Catalog
from skyscope.documents import RunChecker
from skyscope.engine import Engine
from skyscope.plans import mda
from skyscope.writers import (
    HDF5ImageWriter,
    ImageSetWriter,
    OMETiffImageWriter,
    OMEZarrImageWriter,
    image_files,
)

Taken = dict[tuple[int, tuple[int, ...]], np.ndarray]


def _recording(kind: type[ImageSetWriter]) -> type[ImageSetWriter]:
    """The real writer, keeping a copy of every frame the camera produced, by its place."""

    class Recording(kind):  # type: ignore[valid-type, misc]
        taken: Taken

        async def write(self, frame: Any, image: int, coords: tuple[int, ...]) -> int:
            self.taken[(image, tuple(coords))] = frame.copy()
            self.order.append(frame.copy())
            return await super().write(frame, image, coords)

    return Recording


FORMATS = {
    "ome.zarr": OMEZarrImageWriter,
    "ome.tif": OMETiffImageWriter,
    "h5": HDF5ImageWriter,
}


async def _run(
    tmp_path: Path, suffix: str, sequence: useq.MDASequence
) -> tuple[ImageSetWriter, Taken, list[tuple[str, Any]], float]:
    scope = await make_scope()
    writer = _recording(FORMATS[suffix])(tmp_path / f"cells.{suffix}")
    writer.taken = {}  # type: ignore[attr-defined]
    writer.order = []  # type: ignore[attr-defined]
    engine = Engine(md={}, handle_sigint=False)
    docs: list[tuple[str, Any]] = []
    engine.subscribe(lambda name, doc: docs.append((name, doc)))
    engine.subscribe(RunChecker())
    try:
        await engine(mda(sequence, scope, output=writer))
    finally:
        await release(scope)
    _check_datums_read_back(docs, writer.order, tmp_path)  # type: ignore[attr-defined]
    return writer, writer.taken, docs, scope.pixel_size_um  # type: ignore[attr-defined]


def _check_datums_read_back(
    docs: list[tuple[str, Any]], order: list[np.ndarray], tmp_path: Path
) -> None:
    """The catalog, following each event's stream datum, reads that event's frame."""
    with Catalog(tmp_path / "catalog.sqlite") as catalog:
        catalog.ingest(docs)
        frames = catalog[-1]["primary"].frames("scope-camera-image")
        assert len(frames) == len(order)
        for row, frame in enumerate(order):
            assert np.array_equal(frames[row], frame), f"row {row}"


def _read_images(writer: ImageSetWriter, suffix: str, count: int) -> list[dict[str, Any]]:
    """Each image as its format's own readers see it: pixels, axes, scales, channels, offsets."""
    if suffix == "ome.zarr":
        yaozarrs.validate_zarr_store(str(writer.path))
        root = zarr.open_group(str(writer.path), mode="r")
        out = []
        for i in range(count):
            ome = root[str(i)].attrs["ome"]
            ms = ome["multiscales"][0]
            transforms = ms["datasets"][0]["coordinateTransformations"]
            names = [a["name"] for a in ms["axes"]]
            out.append(
                {
                    "pixels": np.asarray(root[f"{i}/0"]),
                    "axes": names,
                    "scale": dict(zip(names, transforms[0]["scale"], strict=True)),
                    "offset": dict(zip(names, transforms[1]["translation"], strict=True)),
                    "channels": [c["label"] for c in ome.get("omero", {}).get("channels", [])],
                    "not_taken": root[str(i)].attrs["frames_not_taken"],
                }
            )
        return out
    if suffix == "h5":
        out = []
        with h5py.File(writer.path, "r") as file:
            for i in range(count):
                ome = json.loads(file[str(i)].attrs["ome"])
                ms = ome["multiscales"][0]
                transforms = ms["datasets"][0]["coordinateTransformations"]
                names = [a["name"] for a in ms["axes"]]
                out.append(
                    {
                        "pixels": file[f"{i}/image"][()],
                        "axes": names,
                        "scale": dict(zip(names, transforms[0]["scale"], strict=True)),
                        "offset": dict(zip(names, transforms[1]["translation"], strict=True)),
                        "channels": [c["label"] for c in ome.get("omero", {}).get("channels", [])],
                        "not_taken": json.loads(file[str(i)].attrs["frames_not_taken"]),
                    }
                )
        return out
    out = []
    for path in image_files(writer.path, count):
        with tifffile.TiffFile(path) as tif:
            ome = from_xml(tif.ome_metadata)
            pixels = ome.images[0].pixels
            page_of = {(d.first_t, d.first_c, d.first_z): d.ifd for d in pixels.tiff_data_blocks}
            stack = np.zeros((pixels.size_t, pixels.size_c, pixels.size_z, pixels.size_y,
                              pixels.size_x), dtype=tif.pages[0].dtype)  # fmt: skip
            for (t, c, z), ifd in page_of.items():
                stack[t, c, z] = tif.pages[ifd].asarray()
            plane = pixels.planes[0]
            notes = ome.structured_annotations.map_annotations[0].value.ms
        out.append(
            {
                "pixels": stack,
                "axes": ["t", "c", "z", "y", "x"],
                "scale": {
                    "x": pixels.physical_size_x,
                    "y": pixels.physical_size_y,
                    "z": pixels.physical_size_z,
                    "t": pixels.time_increment,
                },
                "offset": {"x": plane.position_x, "y": plane.position_y, "z": plane.position_z},
                "channels": [c.name for c in pixels.channels],
                "not_taken": json.loads(notes[0].value),
            }
        )
    return out


def _check_planes(image: dict[str, Any], taken: Taken, number: int, present: str) -> None:
    """Every frame the camera produced for this image is the plane at its place."""
    pixels = image["pixels"]
    mine = {coords: frame for (i, coords), frame in taken.items() if i == number}
    assert mine
    for coords, frame in mine.items():
        place = dict(zip(present, coords, strict=True))
        if image["axes"][:3] == ["t", "c", "z"] and len(present) < 3:  # OME-TIFF keeps all five
            index = tuple(place.get(name, 0) for name in "tcz")
        else:
            index = coords
        assert np.array_equal(pixels[index], frame), f"image {number} at {place}"


@pytest.mark.parametrize("suffix", list(FORMATS))
async def test_plain_mda_writes_t_c_z_with_the_runs_metadata(tmp_path: Path, suffix: str) -> None:
    sequence = useq.MDASequence(
        time_plan={"interval": 0.01, "loops": 2},
        channels=["DAPI", "FITC"],
        z_plan={"range": 2, "step": 1},
        stage_positions=[(120.0, 80.0, 5.0)],
    )
    writer, taken, docs, pixel = await _run(tmp_path, suffix, sequence)
    (image,) = _read_images(writer, suffix, 1)
    assert image["pixels"].shape == (2, 2, 3, 64, 64)
    assert len(taken) == 12
    _check_planes(image, taken, 0, "tcz")
    assert image["channels"] == ["DAPI", "FITC"]
    assert image["scale"]["x"] == pytest.approx(pixel)
    assert image["scale"]["z"] == pytest.approx(1.0)
    assert image["scale"]["t"] == pytest.approx(0.01)
    assert (image["offset"]["x"], image["offset"]["y"]) == (120.0, 80.0)
    assert image["offset"]["z"] == pytest.approx(4.0)  # the lowest plane: 5 - 1
    assert image["not_taken"] == []
    events = stream_events(docs)
    datums = [d for n, d in docs if n == "stream_datum"]
    assert len(events) == len(datums) == 12
    assert [d["seq_nums"]["start"] for d in datums] == [e["seq_num"] for e in events]


@pytest.mark.parametrize("suffix", list(FORMATS))
async def test_grid_tiles_are_positions_and_skipped_frames_are_listed(
    tmp_path: Path, suffix: str
) -> None:
    sequence = useq.MDASequence(
        time_plan={"interval": 0, "loops": 2},
        channels=[{"config": "DAPI"}, {"config": "FITC", "acquire_every": 2}],
        stage_positions=[(100.0, 100.0), (300.0, 300.0)],
        grid_plan={"rows": 1, "columns": 2},
    )
    writer, taken, docs, _ = await _run(tmp_path, suffix, sequence)
    images = _read_images(writer, suffix, 4)
    for number, image in enumerate(images):
        assert image["pixels"].shape[:2] == (2, 2)
        _check_planes(image, taken, number, "tc")
        assert image["not_taken"] == [[1, 1]]  # FITC every other timepoint
    stage = {}
    for event in stream_events(docs):
        place = (event["data"]["p"], event["data"]["g"])
        stage.setdefault(place, (event["data"]["x_um"], event["data"]["y_um"]))
    offsets = [v for image in images for v in (image["offset"]["x"], image["offset"]["y"])]
    expected = [v for p in (0, 1) for g in (0, 1) for v in stage[(p, g)]]
    assert offsets == pytest.approx(expected, abs=0.01)  # the stage's readback


@pytest.mark.parametrize("suffix", list(FORMATS))
async def test_a_positions_sub_sequence_sizes_its_own_image(tmp_path: Path, suffix: str) -> None:
    sequence = useq.MDASequence(
        channels=["DAPI"],
        stage_positions=[
            {"x": 10.0, "y": 10.0, "z": 10.0},
            {
                "x": 50.0,
                "y": 50.0,
                "z": 10.0,
                "sequence": {"z_plan": {"range": 4, "step": 2}},
            },
        ],
    )
    writer, taken, _, _ = await _run(tmp_path, suffix, sequence)
    first, second = _read_images(writer, suffix, 2)
    assert len(taken) == 4
    _check_planes(first, taken, 0, "cz")
    _check_planes(second, taken, 1, "cz")
    z_axis = first["axes"].index("z")
    assert first["pixels"].shape[z_axis] == 1
    assert second["pixels"].shape[z_axis] == 3
    assert second["scale"]["z"] == pytest.approx(2.0)


async def test_output_refuses_an_unknown_suffix_or_an_existing_path(tmp_path: Path) -> None:
    scope = await make_scope()
    try:
        with pytest.raises(ValueError, match="must end in one of"):
            await anext(mda(useq.MDASequence(), scope, output=tmp_path / "cells.png"))
        (tmp_path / "cells.h5").write_bytes(b"")
        with pytest.raises(ValueError, match="exists already"):
            await anext(mda(useq.MDASequence(), scope, output=tmp_path / "cells.h5"))
    finally:
        await release(scope)


async def test_a_well_plate_plan_writes_an_ngff_plate(tmp_path: Path) -> None:
    plate = useq.WellPlatePlan(
        plate=useq.WellPlate(rows=8, columns=12, well_spacing=(1, 1), well_size=(0.5, 0.5)),
        a1_center_xy=(0.0, 0.0),  # 1 mm apart: the simulated stage travels +-2.5 mm
        selected_wells=([0, 0, 1], [0, 1, 0]),  # A1, A2, B1
        well_points_plan=useq.GridRowsColumns(rows=1, columns=2, fov_width=20, fov_height=20),
    )
    sequence = useq.MDASequence(stage_positions=plate, channels=["DAPI", "FITC"])
    writer, taken, _, _ = await _run(tmp_path, "ome.zarr", sequence)
    yaozarrs.validate_zarr_store(str(writer.path))
    root = zarr.open_group(str(writer.path), mode="r")
    ome = root.attrs["ome"]["plate"]
    assert [r["name"] for r in ome["rows"]] == ["A", "B"]
    assert [c["name"] for c in ome["columns"]] == ["1", "2"]
    assert sorted(w["path"] for w in ome["wells"]) == ["A/1", "A/2", "B/1"]
    well = root["A/2"].attrs["ome"]["well"]
    assert [image["path"] for image in well["images"]] == ["0", "1"]
    images = sorted({image for image, _ in taken})
    assert len(images) == 6  # 3 wells x 2 fields
    paths = ["A/1/0", "A/1/1", "A/2/0", "A/2/1", "B/1/0", "B/1/1"]
    for (image, coords), frame in taken.items():
        assert np.array_equal(root[f"{paths[image]}/0"][coords], frame)


async def test_writing_the_output_never_stalls_the_loop(tmp_path: Path) -> None:
    scope = await make_scope(shape=(256, 256))
    sequence = useq.MDASequence(time_plan={"interval": 0, "loops": 150}, channels=["DAPI"])
    engine = Engine(md={}, handle_sigint=False)
    gaps: list[float] = []

    async def ticker() -> None:  # a stall shows as a late wake-up
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last - 0.001)
            last = now

    ticking = asyncio.create_task(ticker())
    try:
        await engine(mda(sequence, scope, output=tmp_path / "cells.ome.zarr"))
    finally:
        ticking.cancel()
        await asyncio.gather(ticking, return_exceptions=True)
        await release(scope)
    assert len(gaps) > 10
    assert max(gaps) < 0.1  # a few ms here: frames are compressed and written off the loop
    assert zarr.open_array(str(tmp_path / "cells.ome.zarr"), path="0/0").shape == (
        150, 1, 256, 256,
    )  # fmt: skip


async def test_a_long_time_lapse_is_planned_from_one_timepoint(tmp_path: Path) -> None:
    # Listing 100,000 timepoints' events first would take useq ~10 s; one timepoint stands
    # for all of them when no position has its own time plan.
    scope = await make_scope(shape=(16, 16))
    sequence = useq.MDASequence(
        time_plan={"interval": 0.5, "loops": 100_000}, channels=["DAPI", "FITC"]
    )
    engine = Engine(md={}, handle_sigint=False)
    first = asyncio.Event()
    docs: list[tuple[str, Any]] = []

    def note(name: str, doc: Any) -> None:
        docs.append((name, doc))
        if name == "event" and stream_events(docs):
            first.set()

    engine.subscribe(note)
    run = asyncio.create_task(engine(mda(sequence, scope, output=tmp_path / "long.ome.zarr")))
    try:
        async with asyncio.timeout(5):
            await first.wait()
    finally:
        await engine.abort("planned and started: enough")
        await run
        await release(scope)
    root = zarr.open_group(str(tmp_path / "long.ome.zarr"), mode="r")
    assert root["0/0"].shape == (100_000, 2, 16, 16)
    scale = root["0"].attrs["ome"]["multiscales"][0]["datasets"][0]["coordinateTransformations"]
    assert scale[0]["scale"][0] == pytest.approx(0.5)


async def test_an_image_whose_z_counts_from_the_starting_focus_is_placed_there(
    tmp_path: Path,
) -> None:
    # useq puts a relative plan at a position without z around 0; the frames are taken around
    # the focus where the run started, and the image's translation says so
    sequence = useq.MDASequence(
        stage_positions=[(0.0, 0.0, None), (40.0, 0.0, 2490.0)],
        z_plan={"range": 2, "step": 1},
    )
    writer, _, docs, _ = await _run(tmp_path, "ome.zarr", sequence)
    start = next(d for n, d in docs if n == "start")
    first, second = _read_images(writer, "ome.zarr", 2)
    assert first["offset"]["z"] == pytest.approx(start["mda_z_origin_um"] - 1.0)
    assert second["offset"]["z"] == pytest.approx(2489.0)

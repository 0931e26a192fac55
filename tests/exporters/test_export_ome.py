"""MDA runs on the simulated microscope exported to OME-TIFF and OME-Zarr, read back.

Every plane is compared with the frame the camera handed its writer (or put in its event); the
OME-XML is parsed with ome-types, the store validated with yaozarrs.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tifffile
import useq
import yaozarrs
import zarr
from _export_helpers import FRAME_SHAPE, Recorder, assert_same_frames, microscope
from ome_types import OME, from_xml

from skyscope.devices.sim import Microscope
from skyscope.engine import Engine, Msg
from skyscope.exporters import OME_ANNOTATION_NAMESPACE, OMETiffExporter, OMEZarrExporter
from skyscope.plans import intercept, mda
from skyscope.writers import Frame, HDF5FrameWriter, OMETiffFrameWriter, OMEZarrFrameWriter

IMAGE = "scope-camera-image"
PIXEL_UM = 0.65

SEQUENCE = useq.MDASequence(
    stage_positions=[(100.0, 200.0, 2500.0), {"x": 300.0, "y": 200.0, "z": 2500.0, "name": "B"}],
    channels=[{"config": "DAPI", "do_stack": False}, {"config": "FITC", "acquire_every": 2}],
    z_plan={"range": 2, "step": 1},
    time_plan={"interval": 0.05, "loops": 3},
)
"""Two positions; DAPI once per time point (middle plane), FITC a z stack every other one."""


async def mda_scope(writer: Any = None) -> Microscope:
    """A small simulated microscope (pattern frames) whose moves and switches are instant."""
    scope = await microscope(writer, mode="pattern")
    axes = (scope.xy.x, scope.xy.y, scope.focus)
    selectors = (scope.filter_wheel, scope.objective, scope.shutter)
    await asyncio.gather(
        *(axis.velocity.set(math.inf) for axis in axes),
        *(signal.set(0.0) for signal in [a.settle_time for a in axes]),
        *(signal.set(0.0) for signal in [s.switch_time for s in selectors]),
    )
    return scope


async def release(scope: Microscope) -> None:
    """Stop a camera sequence and close the camera's file, if any."""
    await scope.camera.stop()
    await scope.camera.unstage()


def _recording(cls: type[Any]) -> type[Any]:
    """A real frame writer of ``cls`` that keeps a copy of every frame it is handed."""

    class Recording(cls):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.frames: list[Frame] = []

        async def write(self, frame: Frame) -> int:
            self.frames.append(frame.copy())
            return int(await super().write(frame))

    return Recording


class Case:
    """Where an MDA's frames go: the camera's own file, the plan's writer, or the events."""

    def __init__(self, name: str, tmp_path: Path) -> None:
        self.name = name
        frames = tmp_path / "frames"
        self.camera_writer = _recording(HDF5FrameWriter)(frames) if name == "camera-hdf5" else None
        plan_writers = {"plan-zarr": OMEZarrFrameWriter, "plan-tiff": OMETiffFrameWriter}
        self.plan_writer = _recording(plan_writers[name])(frames) if name in plan_writers else None

    def frames(self, docs: Recorder) -> list[Frame]:
        """Every frame of the run, in event order, as the camera produced it."""
        writer = self.camera_writer or self.plan_writer
        if writer is not None:
            return list(writer.frames)
        return [np.asarray(event["data"][IMAGE]) for event in docs.events()]


async def _run_mda(
    case: Case, *subscribers: Any, sequence: useq.MDASequence = SEQUENCE, plan: Any = None
) -> tuple[Any, Recorder]:
    scope = await mda_scope(case.camera_writer)
    engine = Engine(md={}, handle_sigint=False, raise_on_fail=False)
    docs = Recorder()
    for subscriber in (docs, *subscribers):
        engine.subscribe(subscriber)
    run = mda(sequence, scope, writer=case.plan_writer, md={"pixel_size_um": PIXEL_UM})
    try:
        result = await engine(plan(run) if plan is not None else run)
    finally:
        await release(scope)
    return result, docs


def _expected(docs: Recorder, frames: list[Frame]) -> dict[tuple[int, int], dict[Any, Any]]:
    """Per (p, g): {(t, c, z): (frame, event)} from the events and the camera's frames."""
    events = [e for e in docs.of("event") if "t" in e["data"]]
    images: dict[tuple[int, int], dict[Any, Any]] = {}
    for event, frame in zip(events, frames, strict=True):
        t, p, g, c, z = (max(event["data"][a], 0) for a in "tpgcz")
        images.setdefault((p, g), {})[(t, c, z)] = (frame, event)
    return images


def _sizes(planes: dict[Any, Any]) -> tuple[int, int, int]:
    t, c, z = (1 + max(place[i] for place in planes) for i in range(3))
    return t, c, z


def _check_pixels(array: np.ndarray, planes: dict[Any, Any]) -> list[list[int]]:
    """Each acquired plane in place; every other plane zeros. Returns the zero places."""
    t_size, c_size, z_size = _sizes(planes)
    assert array.shape[:3] == (t_size, c_size, z_size)
    zeros = []
    for place in np.ndindex(t_size, c_size, z_size):
        if place in planes:
            assert_same_frames([array[place]], [planes[place][0]])
        else:
            assert not array[place].any()
            zeros.append(list(place))
    return zeros


def _check_ome(ome: OME, expected: dict[tuple[int, int], dict[Any, Any]], uid: str) -> None:
    """Sizes, channel names, physical sizes, stage positions and DeltaT of every plane."""
    assert [image.name for image in ome.images] == ["p0", "B"]
    annotations = {a.id: a for a in ome.structured_annotations.map_annotations}
    for image, key in zip(ome.images, sorted(expected), strict=True):
        planes, pixels = expected[key], image.pixels
        assert pixels.dimension_order.value == "XYZCT"
        assert (pixels.size_t, pixels.size_c, pixels.size_z) == _sizes(planes)
        assert (pixels.size_y, pixels.size_x) == FRAME_SHAPE
        assert [c.name for c in pixels.channels] == ["DAPI", "FITC"]
        assert pixels.physical_size_x == pixels.physical_size_y == PIXEL_UM
        assert pixels.physical_size_z == pytest.approx(1.0)
        assert pixels.time_increment == pytest.approx(0.05)
        assert len(pixels.planes) == len(planes)
        for plane in pixels.planes:
            _, event = planes[(plane.the_t, plane.the_c, plane.the_z)]
            data = event["data"]
            assert plane.delta_t == data["started_s"]
            assert plane.delta_t_unit.value == "s"
            assert (plane.position_x, plane.position_y, plane.position_z) == (
                data["x_um"],
                data["y_um"],
                data["z_um"],
            )
            assert plane.exposure_time == data["exposure_ms"]
        first = min(planes.values(), key=lambda item: item[1]["seq_num"])[1]["data"]
        assert (image.stage_label.x, image.stage_label.y) == (first["x_um"], first["y_um"])
        (ref,) = image.annotation_refs
        annotation = annotations[ref.id]
        assert annotation.namespace == OME_ANNOTATION_NAMESPACE
        values = annotation.value.model_dump()
        assert values["run_uid"] == uid
        missing = [list(p) for p in np.ndindex(*_sizes(planes)) if p not in planes]
        assert json.loads(values["missing_planes"]) == missing


def _read_tiff(path: Path, expected: dict[Any, Any], uid: str) -> list[np.ndarray]:
    with tifffile.TiffFile(path) as tiff:
        assert tiff.is_ome
        _check_ome(from_xml(tiff.ome_metadata), expected, uid)
        arrays = []
        for series, key in zip(tiff.series, sorted(expected), strict=True):
            t, c, z = _sizes(expected[key])
            array = series.asarray().reshape(t, c, z, *FRAME_SHAPE)
            assert _check_pixels(array, expected[key])
            arrays.append(array)
    return arrays


def _read_zarr(path: Path, expected: dict[Any, Any], uid: str) -> list[np.ndarray]:
    yaozarrs.validate_zarr_store(str(path))
    root = zarr.open_group(path, mode="r")
    series = root["OME"].attrs["ome"]["series"]
    assert series == ["0", "1"]
    _check_ome(from_xml((path / "OME" / "METADATA.ome.xml").read_text()), expected, uid)
    arrays = []
    for name, key in zip(series, sorted(expected), strict=True):
        image = root[name]
        multiscale = image.attrs["ome"]["multiscales"][0]
        assert [axis["name"] for axis in multiscale["axes"]] == ["t", "c", "z", "y", "x"]
        scale, _ = multiscale["datasets"][0]["coordinateTransformations"]
        assert scale["scale"][1:] == [1.0, pytest.approx(1.0), PIXEL_UM, PIXEL_UM]
        assert scale["scale"][0] == pytest.approx(0.05)
        labels = [c["label"] for c in image.attrs["ome"]["omero"]["channels"]]
        assert labels == ["DAPI", "FITC"]
        array = np.asarray(image["0"])
        zeros = _check_pixels(array, expected[key])
        assert image.attrs["skyscope"]["missing_planes"] == zeros
        assert image.attrs["skyscope"]["run_uid"] == uid
        arrays.append(array)
    return arrays


@pytest.mark.parametrize("where", ["camera-hdf5", "plan-zarr", "plan-tiff", "inline"])
async def test_an_mda_exports_every_plane_in_place(tmp_path: Path, where: str) -> None:
    case = Case(where, tmp_path)
    tiff, store = OMETiffExporter(tmp_path / "out"), OMEZarrExporter(tmp_path / "out")
    result, docs = await _run_mda(case, tiff, store)
    assert result.exit_status == "success"
    (uid,) = result.run_start_uids
    expected = _expected(docs, case.frames(docs))
    assert sum(len(planes) for planes in expected.values()) == len(list(SEQUENCE))
    (tiff_path,), (zarr_path,) = tiff.files[uid], store.files[uid]
    assert tiff_path.name.endswith(".ome.tif")
    from_tiff = _read_tiff(tiff_path, expected, uid)
    from_zarr = _read_zarr(zarr_path, expected, uid)
    for a, b in zip(from_tiff, from_zarr, strict=True):
        assert np.array_equal(a, b)


def _fail_after(plan: Any, saves: int) -> Any:
    """Run ``plan``, raising once it has saved ``saves`` events."""
    count = 0

    async def burn_out() -> AsyncGenerator[Any, Any]:
        raise RuntimeError("the lamp burnt out")
        yield Msg("null")  # an async generator plan

    def around(msg: Any) -> tuple[Any, Any]:
        nonlocal count
        count += msg.command == "save"
        return None, burn_out() if msg.command == "save" and count == saves else None

    return intercept(plan, around)


async def test_a_run_failing_half_way_exports_what_it_has(tmp_path: Path) -> None:
    case = Case("camera-hdf5", tmp_path)
    tiff, store = OMETiffExporter(tmp_path / "out"), OMEZarrExporter(tmp_path / "out")
    result, docs = await _run_mda(
        case, tiff, store, plan=lambda run: _fail_after(run, 8)
    )  # 1 baseline
    assert result.exit_status == "fail"
    assert "lamp burnt out" in result.reason
    (uid,) = result.run_start_uids
    expected = _expected(docs, case.frames(docs))
    assert [len(expected[key]) for key in sorted(expected)] == [4, 3]
    assert _sizes(expected[(1, 0)]) == (1, 2, 2)  # position B: DAPI z1, FITC z0 and z1
    (tiff_path,), (zarr_path,) = tiff.files[uid], store.files[uid]
    _read_tiff(tiff_path, expected, uid)
    _read_zarr(zarr_path, expected, uid)

"""Frames read back through the reader registry equal what the writers' formats hold."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest
import tifffile
import xarray as xr
import zarr
from _broker_docs import HDF5, TIFF, ZARR, RunDocs, camera_run, file_uri, frame_key

from skyscope.broker import Catalog, NotFoundError, ReaderError, StreamFrames, register_reader
from skyscope.documents import DataKey

FRAME = (16, 12)


def frames(n: int, shape: tuple[int, ...] = FRAME) -> np.ndarray:
    return np.arange(n * int(np.prod(shape)), dtype="<u2").reshape(n, *shape) * 7


def write_hdf5(path: Path, data: np.ndarray) -> None:
    with h5py.File(path, "w") as f:
        f.create_dataset("entry/data", data=data, chunks=(1, *data.shape[1:]))


def hdf5_params(data: np.ndarray) -> dict[str, Any]:
    return {"dataset": "entry/data", "chunk_shape": [1, *data.shape[1:]]}


@pytest.fixture
def catalog(catalog_location: str) -> Catalog:
    with Catalog(catalog_location) as cat:
        yield cat


def test_hdf5_frames_read_back(tmp_path: Path, catalog: Catalog) -> None:
    data = frames(10)
    write_hdf5(tmp_path / "cam.h5", data)
    run = camera_run(
        {"sample": "beads"},
        HDF5,
        file_uri(tmp_path / "cam.h5"),
        hdf5_params(data),
        10,
        FRAME,
        flushes=(4, 7),
    )
    catalog.ingest(run.docs)
    ds = catalog[-1]["primary"].read()
    assert isinstance(ds, xr.Dataset)
    np.testing.assert_array_equal(ds["cam"].values, data)
    np.testing.assert_array_equal(ds["seq_num"].values, np.arange(1, 11))
    np.testing.assert_array_equal(ds["x"].values, np.arange(10) * 0.5)
    assert list(ds["label"].values) == [f"p{i}" for i in range(10)]
    assert ds["cam"].dtype == np.dtype("<u2")
    assert ds["x"].attrs["units"] == "um"
    np.testing.assert_array_equal(ds["cam"][3:6, 2].values, data[3:6, 2])
    lazy = catalog[-1]["primary"].frames("cam")
    np.testing.assert_array_equal(lazy[..., 1], data[..., 1])
    np.testing.assert_array_equal(lazy[[7, 2], :2], data[[7, 2], :2])
    np.testing.assert_array_equal(lazy[-1], data[-1])


def test_frames_are_read_lazily_from_the_file(tmp_path: Path, catalog: Catalog) -> None:
    data = frames(4)
    write_hdf5(tmp_path / "cam.h5", data)
    catalog.ingest(
        camera_run({}, HDF5, file_uri(tmp_path / "cam.h5"), hdf5_params(data), 4, FRAME).docs
    )
    ds = catalog[-1]["primary"].read()
    with h5py.File(tmp_path / "cam.h5", "r+") as f:
        f["entry/data"][2] = 999  # changed after read(): a lazy read sees it
    assert (ds["cam"][2].values == 999).all()
    np.testing.assert_array_equal(ds["cam"][1].values, data[1])


def test_zarr_frames_read_back(tmp_path: Path, catalog: Catalog) -> None:
    # an OME-Zarr-like (t, z, y, x) array; frames are its leading axes flattened in C order
    data = frames(6).reshape(2, 3, *FRAME)
    store = tmp_path / "image.zarr"
    root = zarr.open_group(str(store), mode="w")
    array = root.create_array("0", shape=data.shape, chunks=(1, 1, *FRAME), dtype=data.dtype)
    array[...] = data
    run = camera_run({}, ZARR, file_uri(store), {"path": "0"}, 6, FRAME, flushes=(3,))
    catalog.ingest(run.docs)
    ds = catalog[-1]["primary"].read()
    np.testing.assert_array_equal(ds["cam"].values, data.reshape(-1, *FRAME))
    np.testing.assert_array_equal(catalog[-1]["primary"].frames("cam")[4], data[1, 1])


@pytest.mark.parametrize("ome", [False, True], ids=["tiff", "ome-tiff"])
def test_tiff_frames_read_back(tmp_path: Path, catalog: Catalog, ome: bool) -> None:
    data = frames(5)
    path = tmp_path / ("stack.ome.tif" if ome else "stack.tif")
    tifffile.imwrite(path, data, ome=ome)
    catalog.ingest(camera_run({}, TIFF, file_uri(path), {}, 5, FRAME, flushes=(2,)).docs)
    ds = catalog[-1]["primary"].read()
    np.testing.assert_array_equal(ds["cam"].values, data)


def test_frames_across_several_files(tmp_path: Path, catalog: Catalog) -> None:
    first, second = frames(3), frames(2) + 1
    write_hdf5(tmp_path / "a.h5", first)
    write_hdf5(tmp_path / "b.h5", second)
    run = RunDocs({})
    run.descriptor("primary", {"cam": frame_key(FRAME)})
    (_, a) = run.stream_resource("cam", HDF5, file_uri(tmp_path / "a.h5"), hdf5_params(first))
    (_, b) = run.stream_resource("cam", HDF5, file_uri(tmp_path / "b.h5"), hdf5_params(second))
    run.stream_datum(a["uid"], "primary", (0, 3), (1, 4))
    run.stream_datum(b["uid"], "primary", (0, 2), (4, 6))
    run.stop()
    catalog.ingest(run.docs)
    # a fly-scan-like stream: no events, rows come from the stream datums alone
    table = catalog[-1]["primary"].read(as_xarray=False)
    np.testing.assert_array_equal(np.asarray(table["cam"]), np.concatenate([first, second]))
    np.testing.assert_array_equal(table["seq_num"], [1, 2, 3, 4, 5])
    assert np.isnan(table["time"]).all()


def test_dict_of_arrays_without_xarray(
    tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = frames(3)
    write_hdf5(tmp_path / "cam.h5", data)
    catalog.ingest(
        camera_run({}, HDF5, file_uri(tmp_path / "cam.h5"), hdf5_params(data), 3, FRAME).docs
    )
    monkeypatch.setitem(sys.modules, "xarray", None)  # as if xarray were not installed
    table = catalog[-1]["primary"].read()
    assert isinstance(table, dict)
    assert set(table) == {"time", "seq_num", "x", "label", "cam"}
    assert isinstance(table["cam"], StreamFrames)
    assert table["cam"].shape == (3, *FRAME)
    np.testing.assert_array_equal(np.asarray(table["cam"]), data)
    np.testing.assert_array_equal(table["x"], [0.0, 0.5, 1.0])


def test_custom_reader_registered_at_runtime(tmp_path: Path, catalog: Catalog) -> None:
    data = frames(4)
    np.save(tmp_path / "cam.npy", data)
    calls: list[str] = []

    def read_npy(uri: str, parameters: Mapping[str, Any], data_key: DataKey) -> np.ndarray:
        calls.append(uri)
        return np.load(tmp_path / parameters["file"], mmap_mode="r")

    register_reader("application/x-npy", read_npy)
    run = camera_run({}, "application/x-npy", "npy://somewhere", {"file": "cam.npy"}, 4, FRAME)
    catalog.ingest(run.docs)
    np.testing.assert_array_equal(catalog[-1]["primary"].read()["cam"].values, data)
    assert calls == ["npy://somewhere"]


def test_unknown_mimetype_and_missing_file_are_named(tmp_path: Path, catalog: Catalog) -> None:
    catalog.ingest(camera_run({"n": 1}, "image/x-unknown", "file:///nowhere", {}, 2, FRAME).docs)
    with pytest.raises(ReaderError, match=r"image/x-unknown.*register_reader"):
        catalog[-1]["primary"].read()["cam"].values  # noqa: B018
    missing = tmp_path / "gone.h5"
    catalog.ingest(camera_run({"n": 2}, HDF5, file_uri(missing), {"dataset": "d"}, 2, FRAME).docs)
    with pytest.raises(ReaderError, match=r"gone\.h5"):
        np.asarray(catalog[-1]["primary"].frames("cam"))
    with pytest.raises(NotFoundError, match="no external data key 'x'"):
        catalog[-1]["primary"].frames("x")
    with pytest.raises(NotFoundError, match=r"no stream 'baseline'.*'primary'"):
        catalog[-1]["baseline"]


async def test_inline_frames_read_back_in_their_own_dtype(
    tmp_path: Path, catalog_location: str
) -> None:
    from skyscope.devices import SoftDetector
    from skyscope.engine import Engine
    from skyscope.plans import count

    frames = iter(range(1, 100))

    def frame() -> np.ndarray[Any, np.dtype[np.uint16]]:
        return np.full((4, 5), next(frames), dtype=np.uint16)

    camera = SoftDetector("cam", compute=frame, datatype=np.ndarray)
    await camera.connect()
    with Catalog(catalog_location) as catalog:
        engine = Engine(md={}, handle_sigint=False)
        engine.subscribe(catalog)
        await engine(count([camera], 3))
        assert catalog.flush()
        images = catalog[-1]["primary"].read()["cam-value"].values
    assert images.dtype == np.uint16
    assert images.shape == (3, 4, 5)
    assert [int(image[0, 0]) for image in images] == [1, 2, 3]

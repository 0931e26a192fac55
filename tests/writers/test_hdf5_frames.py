"""HDF5FrameWriter: frames read back by h5py byte for byte, stream documents, bad input."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import h5py
import numpy as np
import pytest
from _writer_helpers import make_frame

from skyscope.writers import FrameWriter, FrameWriterError, HDF5FrameWriter

FILTER_IDS = {None: [], "gzip": [h5py.h5z.FILTER_DEFLATE], "zstd": [32015], "lz4": [32004]}

CASES = [
    pytest.param(1, None, id="direct-chunks"),
    pytest.param(4, None, id="4-frames-per-chunk"),
    pytest.param(1, "gzip", id="gzip"),
    pytest.param(3, "zstd", id="zstd-3-per-chunk"),
    pytest.param(1, "lz4", id="lz4"),
]


@pytest.mark.parametrize(("frames_per_chunk", "compression"), CASES)
async def test_frames_read_back_identical(
    h5_path: Path, frames_per_chunk: int, compression: str | None
) -> None:
    writer = HDF5FrameWriter(
        h5_path,
        frames_per_chunk=frames_per_chunk,
        compression=compression,  # type: ignore[arg-type]
    )
    assert isinstance(writer, FrameWriter)
    keys = await writer.open("cam", (32, 48), np.uint16, source="sim://cam")
    assert keys == {
        "cam": {
            "source": "sim://cam",
            "dtype": "array",
            "shape": [32, 48],
            "dtype_numpy": "<u2",
            "external": "STREAM:",
        }
    }
    frames = [make_frame(i) for i in range(10)]
    indices = [await writer.write(frame) for frame in frames]
    assert indices == list(range(10))
    await writer.close()
    assert writer.get_indices_written() == 10
    with h5py.File(h5_path, "r") as f:
        data = f["cam"]
        assert data.shape == (10, 32, 48)
        assert data.chunks == (frames_per_chunk, 32, 48)
        assert _filter_ids(data) == FILTER_IDS[compression]
        for i, frame in enumerate(frames):
            assert data[i].tobytes() == frame.tobytes()


def _filter_ids(data: h5py.Dataset) -> list[int]:
    plist = data.id.get_create_plist()
    return [plist.get_filter(i)[0] for i in range(plist.get_nfilters())]


async def test_stream_documents_one_resource_and_a_datum_per_flush(h5_path: Path) -> None:
    writer = HDF5FrameWriter(h5_path, frames_per_chunk=2)
    await writer.open("cam", (32, 48), ">f4")
    assert list(writer.collect_stream_docs(0)) == []
    for i in range(3):
        await writer.write(make_frame(i, dtype=np.float32).astype(">f4"))
    assert await writer.flush() == 3
    first = list(writer.collect_stream_docs(3))
    for i in range(3, 7):
        await writer.write(make_frame(i, dtype=np.float32).astype(">f4"))
    assert await writer.flush() == 7
    second = list(writer.collect_stream_docs(7))
    await writer.close()

    assert [name for name, _ in first] == ["stream_resource", "stream_datum"]
    resource = first[0][1]
    assert resource["mimetype"] == "application/x-hdf5"
    assert resource["uri"] == "file://localhost" + str(h5_path)
    assert resource["parameters"] == {"dataset": "/cam", "chunk_shape": [2, 32, 48]}
    assert resource["data_key"] == "cam"
    assert "run_start" not in resource
    assert [name for name, _ in second] == ["stream_datum"]
    datums = [first[1][1], second[0][1]]
    assert [d["indices"] for d in datums] == [{"start": 0, "stop": 3}, {"start": 3, "stop": 7}]
    assert {d["stream_resource"] for d in datums} == {resource["uid"]}
    assert datums[0]["uid"] != datums[1]["uid"]
    with h5py.File(h5_path, "r") as f:
        assert f["cam"].dtype == np.dtype(">f4")
        assert f["cam"][6].tobytes() == make_frame(6, dtype=np.float32).astype(">f4").tobytes()


async def test_a_datum_never_names_unwritten_frames(h5_path: Path) -> None:
    writer = HDF5FrameWriter(h5_path)
    await writer.open("cam", (32, 48), np.uint16)
    await writer.write(make_frame(0))
    await writer.flush()
    with pytest.raises(ValueError, match="only 1 of 'cam' are written"):
        list(writer.collect_stream_docs(2))
    await writer.close()


async def test_directory_gets_a_new_file_per_open(tmp_path: Path) -> None:
    writer = HDF5FrameWriter(tmp_path / "run")
    paths = []
    for _ in range(2):
        await writer.open("det", (4, 4), np.uint8)
        await writer.write(np.ones((4, 4), np.uint8))
        await writer.close()
        paths.append(writer.path)
    assert paths[0] != paths[1]
    assert all(p is not None and p.parent == tmp_path / "run" for p in paths)


@pytest.fixture
def precious(h5_path: Path) -> Iterator[Path]:
    h5_path.write_bytes(b"precious")
    yield h5_path
    assert h5_path.read_bytes() == b"precious"


async def test_an_existing_file_is_never_overwritten(precious: Path) -> None:
    writer = HDF5FrameWriter(precious)
    with pytest.raises(FrameWriterError, match=r"frames\.h5") as info:
        await writer.open("cam", (4, 4), np.uint8)
    assert "creating it" in str(info.value)


async def test_bad_frames_are_refused_before_queueing(h5_path: Path) -> None:
    writer = HDF5FrameWriter(h5_path)
    with pytest.raises(RuntimeError, match="not open"):
        await writer.write(make_frame(0))
    await writer.open("cam", (32, 48), np.uint16)
    with pytest.raises(ValueError, match=r"shape \(48, 32\).*expected shape \(32, 48\)"):
        await writer.write(np.zeros((48, 32), np.uint16))
    with pytest.raises(ValueError, match="dtype uint8"):
        await writer.write(np.zeros((32, 48), np.uint8))
    with pytest.raises(TypeError, match="numpy array"):
        await writer.write([[0]])  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="already open"):
        await writer.open("cam", (32, 48), np.uint16)
    await writer.close()
    with h5py.File(h5_path, "r") as f:
        assert f["cam"].shape == (0, 32, 48)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"frames_per_chunk": 0}, "frames_per_chunk"),
        ({"queue_depth": 0}, "queue_depth"),
        ({"flush_every": 0}, "flush_every"),
        ({"compression": "bzip"}, "unknown compression 'bzip'"),
    ],
)
def test_bad_settings_are_refused(h5_path: Path, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        HDF5FrameWriter(h5_path, **kwargs)  # type: ignore[arg-type]


async def test_bad_open_arguments_are_refused(h5_path: Path) -> None:
    writer = HDF5FrameWriter(h5_path)
    with pytest.raises(ValueError, match="frame_shape"):
        await writer.open("cam", (0, 4), np.uint8)
    with pytest.raises(ValueError, match="cannot name an HDF5 dataset"):
        await writer.open("a/b", (4, 4), np.uint8)
    with pytest.raises(RuntimeError, match="never opened"):
        list(writer.collect_stream_docs(1))

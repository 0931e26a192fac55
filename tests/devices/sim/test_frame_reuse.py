"""The camera's frame buffers: reused once released, never changed while anything holds them."""

from __future__ import annotations

import gc
from pathlib import Path

import h5py
import numpy as np

from skyscope.devices.sim import Microscope, SensorSpec
from skyscope.devices.sim._frame_pool import FramePool
from skyscope.writers import HDF5FrameWriter

SHAPE = (64, 96)
U16 = np.dtype(np.uint16)


def test_a_lent_frame_comes_back_only_when_every_view_of_it_is_gone() -> None:
    pool = FramePool(limit=1)
    frame = pool.take(SHAPE, U16)
    frame[...] = 7
    view, buffer = frame[np.newaxis, 1:], memoryview(frame)
    del frame
    other = pool.take(SHAPE, U16)  # the only pooled buffer is still held: a new array
    assert not np.shares_memory(other, view)
    other[...] = 9
    assert (view == 7).all()
    del view
    assert not np.shares_memory(pool.take(SHAPE, U16), np.asarray(buffer))
    address = np.asarray(buffer).__array_interface__["data"][0]
    del buffer
    gc.collect()
    reused = pool.take(SHAPE, U16)
    assert reused.__array_interface__["data"][0] == address
    assert pool.pooled == 1


def test_a_full_pool_lends_new_arrays_and_a_new_shape_starts_afresh() -> None:
    pool = FramePool(limit=2)
    held = [pool.take(SHAPE, U16) for _ in range(5)]
    assert pool.pooled == 2
    assert len({frame.__array_interface__["data"][0] for frame in held}) == 5
    wide = pool.take((8, 8), np.dtype(np.uint8))
    assert wide.shape == (8, 8)
    assert wide.dtype == np.uint8
    del held
    assert pool.pooled == 1  # the old shape's buffers did not come back
    assert pool.take((8, 8), np.dtype(np.uint8)).shape == (8, 8)


class _KeepingWriter(HDF5FrameWriter):
    """An HDF5 writer that also keeps (or only notes the address of) every frame it is given."""

    def __init__(self, path: Path, *, keep: bool, **options: int) -> None:
        super().__init__(path, **options)
        self.keep = keep
        self.kept: list[np.ndarray] = []
        self.addresses: set[int] = set()
        self.most_in_flight = 0

    async def write(self, frame: np.ndarray) -> int:
        if self.keep:
            self.kept.append(frame)
        self.addresses.add(frame.__array_interface__["data"][0])
        index = await super().write(frame)
        self.most_in_flight = max(self.most_in_flight, self.frames_in_flight)
        return index


async def _stream(writer: _KeepingWriter, frames: int, **scope: object) -> Microscope:
    microscope = Microscope(
        sensor=SensorSpec(shape=SHAPE),
        writer=writer,
        realtime=False,
        **scope,  # type: ignore[arg-type]
    )
    await microscope.connect()
    await microscope.camera.stage()
    await microscope.camera.prepare(frames)
    await microscope.camera.kickoff()
    await microscope.camera.complete()
    await microscope.camera.unstage()
    return microscope


def _frames_in(path: Path | None) -> np.ndarray:
    assert path is not None
    with h5py.File(path, "r") as file:
        return np.asarray(file["scope-camera-image"][()])


async def test_frames_a_writer_keeps_are_never_overwritten(tmp_path: Path) -> None:
    writer = _KeepingWriter(tmp_path / "kept.h5", keep=True, queue_depth=2)
    await _stream(writer, 40, mode="pattern")
    assert [int(frame.flat[0]) for frame in writer.kept] == list(range(40))
    assert np.array_equal(np.stack(writer.kept), _frames_in(writer.path))


async def test_a_sequence_reuses_a_few_buffers_and_bounds_big_frames_in_flight(
    tmp_path: Path,
) -> None:
    writer = _KeepingWriter(tmp_path / "reused.h5", keep=False, queue_depth=4, queue_bytes=1)
    await _stream(writer, 60, mode="pattern")
    assert writer.most_in_flight <= 2  # queue_bytes cut the queue to its minimum, two frames
    assert len(writer.addresses) <= writer.queue_depth + 2
    assert [int(frame.flat[0]) for frame in _frames_in(writer.path)] == list(range(60))


async def test_pipelined_frames_are_the_frames_the_model_takes_in_order(tmp_path: Path) -> None:
    writer = _KeepingWriter(tmp_path / "physics.h5", keep=False, queue_depth=3)
    await _stream(writer, 12, seed=5, objective=1)
    reference = Microscope(seed=5, objective=1, sensor=SensorSpec(shape=SHAPE))
    expected = np.stack([reference.model.snap() for _ in range(12)])
    assert np.array_equal(_frames_in(writer.path), expected)

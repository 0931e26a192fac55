"""Frames acknowledged per flush: waiting for one frame syncs at once, a fast producer in batches.

Also the sharded layout behind it: many frames per shard file, full shards closed as runs go.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import zarr
from _writer_helpers import make_frame

from skyscope.writers import OMEZarrFrameWriter, write_acknowledged
from skyscope.writers._zarr_shards import SHARD_BYTES, SHARD_CHUNKS, shard_extent


async def _until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():  # noqa: ASYNC110 - the worker thread sets a plain counter
            await asyncio.sleep(0.005)


async def test_waiting_for_a_frame_gets_it_acknowledged_without_waiting_for_a_flush(
    tmp_path: Path,
) -> None:
    writer = OMEZarrFrameWriter(tmp_path / "stack.ome.zarr", flush_every=3600.0)
    await writer.open("cam", (32, 48), np.uint16)
    for i in range(5):
        assert await write_acknowledged(writer, make_frame(i)) >= i + 1
    await writer.write(make_frame(5))
    assert await writer.acknowledged_at_least(6) == 6  # wakes the idle worker to sync
    live = zarr.open_array(writer.path / "0", mode="r")  # type: ignore[operator]
    assert live.shape[0] == 6
    np.testing.assert_array_equal(live[5], make_frame(5))
    await writer.close()


async def test_frames_are_acknowledged_per_flush_period_without_anyone_waiting(
    tmp_path: Path,
) -> None:
    writer = OMEZarrFrameWriter(tmp_path / "stack.ome.zarr", flush_every=0.05)
    await writer.open("cam", (32, 48), np.uint16)
    for i in range(20):
        await writer.write(make_frame(i))
    await _until(lambda: writer.get_indices_written() == 20)  # no flush() asked for
    await writer.close()
    assert writer.get_indices_written() == 20


async def test_a_growing_stack_is_not_synced_frame_by_frame(tmp_path: Path) -> None:
    """Its zarr.json is rewritten per sync: a fast producer gets far fewer syncs than frames."""
    writer = OMEZarrFrameWriter(tmp_path / "stack.ome.zarr", flush_every=3600.0)
    await writer.open("cam", (32, 48), np.uint16)
    syncs = 0
    sink = writer._queue._sink  # type: ignore[union-attr]  # count the real sink's syncs
    real_sync = sink.sync

    def counting_sync(count: int) -> None:
        nonlocal syncs
        syncs += 1
        real_sync(count)

    sink.sync = counting_sync  # type: ignore[method-assign]
    for i in range(200):
        await writer.write(make_frame(i))
    assert await writer.flush() == 200
    assert syncs < 100
    await writer.close()
    stored = zarr.open_array(writer.path / "0", mode="r")  # type: ignore[operator]
    assert stored.shape == (200, 32, 48)
    np.testing.assert_array_equal(stored[199], make_frame(199))


async def test_a_flat_stack_puts_many_frames_in_each_shard_file(tmp_path: Path) -> None:
    writer = OMEZarrFrameWriter(tmp_path / "stack.ome.zarr")
    await writer.open("cam", (32, 48), np.uint16)
    frames = [make_frame(i) for i in range(600)]
    for frame in frames:
        await writer.write(frame)
    await writer.close()
    files = [f for f in (tmp_path / "stack.ome.zarr" / "0").rglob("*") if f.is_file()]
    shards = [f for f in files if f.name != "zarr.json"]
    assert len(shards) == -(-600 // SHARD_CHUNKS)  # not one file per frame
    stored = np.asarray(zarr.open_array(tmp_path / "stack.ome.zarr" / "0", mode="r"))
    np.testing.assert_array_equal(stored, np.stack(frames))


def test_shards_span_timepoints_up_to_a_size_and_a_frame_count() -> None:
    small = 32 * 48 * 2
    assert shard_extent([1000, 2, 3], small) == (SHARD_CHUNKS // 6, 2, 3)
    big = 2048 * 2048 * 2
    assert shard_extent([1000, 1], big) == (SHARD_BYTES // big, 1)
    assert shard_extent([None], big) == (SHARD_BYTES // big,)  # a growing stack
    assert shard_extent([3], small) == (3,)  # never beyond the axis
    assert shard_extent([10, 40, 40], big) == (1, 40, 40)  # at least one timepoint
    assert shard_extent([], small) == ()


async def test_full_shards_are_closed_as_the_run_goes(tmp_path: Path) -> None:
    writer = OMEZarrFrameWriter(tmp_path / "stack.ome.zarr", flush_every=0.01)
    await writer.open("cam", (32, 48), np.uint16)
    before = len(os.listdir("/proc/self/fd"))
    for i in range(SHARD_CHUNKS * 6):
        await writer.write(make_frame(i))
    await writer.flush()
    during = len(os.listdir("/proc/self/fd"))
    await writer.close()
    assert during - before <= 2  # the shard being filled, not one per full shard


async def test_a_slow_producer_gets_each_frame_acknowledged_soon_after_it_is_written(
    tmp_path: Path,
) -> None:
    """Catching up with the queue, the worker syncs when a sync is cheap next to the gap."""
    writer = OMEZarrFrameWriter(tmp_path / "stack.ome.zarr", flush_every=3600.0)
    await writer.open("cam", (32, 48), np.uint16)
    for i in range(3):
        await writer.write(make_frame(i))
        await _until(lambda n=i + 1: writer.get_indices_written() >= n)  # not after an hour
    await writer.close()

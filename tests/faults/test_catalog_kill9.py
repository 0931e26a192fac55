"""kill -9 in the middle of an acquisition: every document the catalog acknowledged is found again.

A child process runs an MDA of the simulated microscope, its camera writing frames through one
of the frame writers, with the catalog subscribed through a witness that prints each document's
uid once the catalog has acknowledged it (journaled it). The parent SIGKILLs the child mid-run,
then opens the catalog, which replays the dead writer's journal: every acknowledged document is
there, the run is marked interrupted, and the frames its events reference read back.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from skyscope.broker import Catalog, read_journal

PLANS = Path(__file__).parents[1] / "plans"

CHILD = textwrap.dedent("""
    import asyncio, os, sys
    sys.path.insert(0, sys.argv[1])
    import useq
    from _sim_scope import make_scope
    from skyscope.broker import Catalog
    from skyscope.engine import Engine
    from skyscope.writers import HDF5FrameWriter, OMETiffFrameWriter, OMEZarrFrameWriter
    from skyscope.plans import mda

    WRITERS = {"hdf5": HDF5FrameWriter, "zarr": OMEZarrFrameWriter, "tiff": OMETiffFrameWriter}

    class Witness:
        prefers_thread = True  # as the catalog itself: off the event loop

        def __init__(self, catalog):
            self.catalog = catalog

        def __call__(self, name, doc):
            self.catalog(name, doc)  # returns once the document is journaled
            os.write(1, f"{name} {doc['uid']}\\n".encode())

    async def main():
        writer_kind, catalog_path, frames_path, mode = sys.argv[2:6]
        scope = await make_scope(shape=(32, 32), writer=WRITERS[writer_kind](frames_path))
        if mode == "burst":  # time only: the camera streams a hardware-timed sequence
            sequence = useq.MDASequence(time_plan={"interval": 0, "loops": 100_000})
        else:  # a z stack per time point: one frame per event
            sequence = useq.MDASequence(
                time_plan={"interval": 0, "loops": 10_000}, z_plan={"range": 2, "step": 1}
            )
        engine = Engine(md={}, handle_sigint=False)
        engine.subscribe(Witness(Catalog(catalog_path)))
        await engine(mda(sequence, scope))

    asyncio.run(main())
""")

FRAMES = {"hdf5": "frames.h5", "zarr": "frames.ome.zarr", "tiff": "frames.ome.tiff"}


def acquire_then_kill(
    tmp_path: Path, catalog: str, writer: str, mode: str, events: int
) -> list[str]:
    """Run the child until ``events`` events are acknowledged, SIGKILL it; return the acks."""
    args = [str(PLANS), writer, catalog, str(tmp_path / FRAMES[writer]), mode]
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdout is not None
        acked: list[str] = []
        while sum(line.startswith("event ") for line in acked) < events:
            line = child.stdout.readline()
            assert line, f"the child ended early: {child.communicate()[1][-3000:]}"
            acked.append(line.strip())
        os.kill(child.pid, signal.SIGKILL)
        rest, _ = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL
    return acked + [line.strip() for line in rest.splitlines() if line.strip()]


@pytest.mark.parametrize(
    ("writer", "mode"),
    [("hdf5", "events"), ("zarr", "events"), ("tiff", "events"), ("hdf5", "burst")],
)
def test_kill9_mid_run_keeps_every_acknowledged_document(
    tmp_path: Path, catalog_location: str, writer: str, mode: str
) -> None:
    acked = acquire_then_kill(tmp_path, catalog_location, writer, mode, events=40)
    with Catalog(catalog_location, readonly=True) as reader:  # replays nothing
        journals = list(reader.journal_folder.glob("*.jrnl"))
    assert len(journals) == 1
    journaled = read_journal(journals[0]).documents
    with Catalog(catalog_location) as catalog:  # replays the dead writer's journal
        assert catalog.recovery.interrupted == [journals[0].stem]
        run = catalog[-1]
        stored = {f"{name} {doc['uid']}" for name, doc in run.documents() if "uid" in doc}
        stored.add(f"start {run.uid}")
        missing = [line for line in acked if line not in stored]
        print(
            f"\n{writer}/{mode}: acknowledged {len(acked)} documents, journal held "
            f"{len(journaled)}, catalog holds {len(stored)}; missing {len(missing)}"
        )
        assert missing == []
        assert len(stored) >= len(acked)
        assert run.status == "interrupted"
        assert run.stop is None
        assert not journals[0].exists()  # replayed and removed
        if writer != "tiff":  # OME-TIFF pages written after a crash: the MDA writers issue
            frames = run["primary"].read()["scope-camera-image"].values
            assert frames.shape[0] == run.num_events - 1 >= 39  # and the starting baseline
            assert np.all(frames.reshape(frames.shape[0], -1).max(axis=1) > 0)


def test_a_second_open_finds_nothing_left_to_recover(tmp_path: Path, catalog_location: str) -> None:
    acquire_then_kill(tmp_path, catalog_location, "hdf5", "events", events=5)
    with Catalog(catalog_location) as first:
        assert len(first.recovery.runs) == 1
        count = first[-1].num_events
    with Catalog(catalog_location) as again:
        assert again.recovery.runs == []
        assert again[-1].num_events == count  # idempotent: nothing doubled

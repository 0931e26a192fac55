"""Live documents and live frames: resumable, bounded, and never making the camera wait."""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import math
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import websockets
from _live_env import Served, run_item, served, tapped_scope
from PIL import Image
from websockets.exceptions import InvalidStatus

from skyscope.devices.sim import Microscope
from skyscope.engine import Engine
from skyscope.server import DocumentRing, LiveFrames, live_view, unpack_frame

DOCS = "/api/live/documents/ws"
FRAMES = "/api/live/frames/ws"


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[Served]:
    async with served(tmp_path) as running:
        yield running


async def _json(ws: Any) -> dict[str, Any]:
    message = await ws.recv()
    assert isinstance(message, str), "expected a text message"
    loaded: dict[str, Any] = json.loads(message)
    return loaded


# --- the document ring ---------------------------------------------------------------------


def test_the_ring_keeps_the_newest_and_reports_what_a_late_reader_missed() -> None:
    ring = DocumentRing(capacity=3)
    for n in range(5):
        ring("event", {"seq_num": n})
    gap, documents = ring.after(0)
    assert gap is not None
    assert (gap.requested, gap.oldest) == (1, 3)
    assert json.loads(gap.json())["missed"] == 2
    assert [d.seq for d in documents] == [3, 4, 5]
    gap, documents = ring.after(4)
    assert gap is None
    assert [d.doc["seq_num"] for d in documents] == [4]
    assert ring.after(5) == (None, [])
    with pytest.raises(ValueError, match="at least 1 document"):
        DocumentRing(capacity=0)


def test_documents_are_strict_json_even_with_infinite_numbers() -> None:
    ring = DocumentRing()
    ring("event", {"data": {"velocity": math.inf, "drift": [-math.inf, math.nan, 1.5]}})
    (numbered,) = ring.after(0)[1]
    text = numbered.json()
    assert "Infinity" not in text
    assert "NaN" not in text
    sent = json.loads(text)
    assert sent["doc"]["data"] == {"velocity": "inf", "drift": ["-inf", "nan", 1.5]}


def test_large_arrays_in_documents_are_described_not_sent() -> None:
    ring = DocumentRing()
    ring("event", {"data": {"small": np.arange(3), "big": np.zeros((100, 100), np.uint16)}})
    (numbered,) = ring.after(0)[1]
    sent = json.loads(numbered.json())
    assert sent["doc"]["data"]["small"] == [0, 1, 2]
    assert sent["doc"]["data"]["big"] == {"array": {"shape": [100, 100], "dtype": "uint16"}}


# --- live documents over the websocket -----------------------------------------------------


async def _documents_until_stop(ws: Any) -> list[dict[str, Any]]:
    seen = []
    while True:
        message = await _json(ws)
        if message["type"] == "document":
            seen.append(message)
            if message["name"] == "stop":
                return seen


async def test_documents_arrive_in_order_and_a_reconnect_resumes(server: Served) -> None:
    headers = server.headers("observer")
    async with websockets.connect(server.ws(DOCS), additional_headers=headers) as ws:
        hello = await _json(ws)
        assert hello["type"] == "hello"
        running = asyncio.ensure_future(run_item(server, "count", [["camera"]], {"num": 2}))
        seen = await _documents_until_stop(ws)
        (uid,) = await running
    names = [m["name"] for m in seen]
    assert names[0] == "start"
    assert names.count("event") == 2
    assert seen[0]["doc"]["uid"] == uid
    seqs = [m["seq"] for m in seen]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    # resume after the third document: the rest come again, the same, in order
    since = seqs[2]
    async with websockets.connect(
        server.ws(DOCS) + f"?since={since}", additional_headers=headers
    ) as ws:
        assert (await _json(ws))["since"] == since
        again = [await _json(ws) for _ in seqs[3:]]
    assert again == seen[3:]


async def test_status_changes_share_the_socket_and_bad_since_is_refused(server: Served) -> None:
    headers = server.headers("observer")
    async with websockets.connect(server.ws(DOCS) + "?status=1", additional_headers=headers) as ws:
        messages = [await _json(ws), await _json(ws)]
    status = next(m for m in messages if m["type"] == "status")
    assert status["status"]["manager_state"] == "idle"
    async with websockets.connect(server.ws(DOCS) + "?since=-4", additional_headers=headers) as ws:
        error = await _json(ws)  # refused before the hello
        assert error["type"] == "error"
        assert "'since' must be >= 0" in error["msg"]
        await ws.wait_closed()
    assert ws.close_code == 1008


# --- live frames ---------------------------------------------------------------------------


async def test_a_raw_frame_arrives_with_its_header(server: Served) -> None:
    frame = np.arange(12 * 10, dtype=np.uint16).reshape(12, 10) * 7
    async with websockets.connect(
        server.ws(FRAMES), additional_headers=server.headers("observer")
    ) as ws:
        hello = await _json(ws)
        assert hello == {"type": "hello", "format": "raw", "window": 2, "seq": 0}
        before = time.time()
        server.live.publish(frame, channel="DAPI", pixel_size_um=0.65)
        header, payload = unpack_frame(await ws.recv())
    assert header["shape"] == [12, 10]
    assert header["dtype"] == "uint16"
    assert header["channel"] == "DAPI"
    assert header["pixel_size_um"] == 0.65
    assert header["seq"] == 1
    assert header["timestamp"] >= before
    assert (4 + len(json.dumps(header))) <= 4 + 256  # a small header
    np.testing.assert_array_equal(np.frombuffer(payload, "<u2").reshape(12, 10), frame)


@pytest.mark.parametrize("fmt", ["jpeg", "webp"])
async def test_lossy_frames_for_slow_links(server: Served, fmt: str) -> None:
    frame = np.tile(np.arange(64, dtype=np.uint16) * 1000, (48, 1))
    url = server.ws(FRAMES) + f"?format={fmt}"
    async with websockets.connect(url, additional_headers=server.headers("observer")) as ws:
        await _json(ws)
        server.live.publish(frame)
        header, payload = unpack_frame(await ws.recv())
    assert header["encoding"] == fmt
    assert header["limits"][0] < header["limits"][1]
    image = Image.open(io.BytesIO(payload))
    assert image.format == fmt.upper()
    assert image.size == (64, 48)
    pixels = np.asarray(image.convert("L")).astype(int)
    assert pixels[:, -1].mean() > pixels[:, 0].mean() + 200  # dark left, bright right


async def test_a_slow_viewer_gets_the_newest_frame_and_skips_the_rest(server: Served) -> None:
    url = server.ws(FRAMES) + "?window=1"
    async with websockets.connect(url, additional_headers=server.headers("observer")) as ws:
        await _json(ws)
        server.live.publish(np.zeros((4, 4), np.uint16))
        first, _ = unpack_frame(await ws.recv())
        for n in range(100):  # the viewer has not acknowledged: these are not sent
            server.live.publish(np.full((4, 4), n, np.uint16))
        await ws.send("ack")
        newest, payload = unpack_frame(await ws.recv())
    assert first["seq"] == 1
    assert newest["seq"] == 101
    assert set(np.frombuffer(payload, "<u2")) == {99}


async def test_a_viewer_gets_frames_binned_to_its_size_and_its_region_at_full_size(
    server: Served,
) -> None:
    frame = np.arange(64 * 48, dtype=np.uint16).reshape(48, 64)
    url = server.ws(FRAMES) + "?max=16,16"
    async with websockets.connect(url, additional_headers=server.headers("observer")) as ws:
        await _json(ws)
        server.live.publish(frame)
        binned, payload = unpack_frame(await ws.recv())
        assert (binned["shape"], binned["binning"]) == ([12, 16], 4)
        assert (binned["frame_shape"], binned["roi"]) == ([48, 64], [0, 0, 64, 48])
        pixels = np.frombuffer(payload, "<u2").reshape(12, 16)
        assert pixels[0, 0] == frame[:4, :4].mean() // 1  # the block's mean, rounded down
        # zoomed in: the region at full resolution, asked for on the same socket
        await ws.send(json.dumps({"view": {"roi": [8, 4, 10, 6]}}))
        await ws.send("ack")
        await ws.send(json.dumps({"view": {"max": [0, 1]}}))  # refused, the view stands
        error = await _json(ws)
        assert "'max' must be a list of 2 whole numbers" in error["msg"]
        server.live.publish(frame)
        region, payload = unpack_frame(await ws.recv())
    assert (region["shape"], region["binning"], region["roi"]) == ([6, 10], 1, [8, 4, 10, 6])
    np.testing.assert_array_equal(np.frombuffer(payload, "<u2").reshape(6, 10), frame[4:10, 8:18])
    bad = server.ws(FRAMES) + "?roi=1,2,x,4"
    async with websockets.connect(bad, additional_headers=server.headers("observer")) as ws:
        assert "'roi' must be whole numbers separated by commas" in (await _json(ws))["msg"]
        await ws.wait_closed()


async def test_keys_in_the_subprotocol_and_refusals(server: Served) -> None:
    offered = ["skyscope", f"apikey.{server.keys['observer']}"]
    async with websockets.connect(server.ws(FRAMES), subprotocols=offered) as ws:  # type: ignore[arg-type]
        assert ws.subprotocol == "skyscope"
        assert (await _json(ws))["type"] == "hello"
    with pytest.raises(InvalidStatus) as refused:
        async with websockets.connect(server.ws(FRAMES), subprotocols=["skyscope"]):  # type: ignore[list-item]
            pass
    assert refused.value.response.status_code == 401
    bad = server.ws(FRAMES) + "?format=gif"
    async with websockets.connect(bad, additional_headers=server.headers("observer")) as ws:
        error = await _json(ws)
        assert "unknown format 'gif'" in error["msg"]
        await ws.wait_closed()


async def test_acquisition_never_waits_for_a_viewer_that_does_not_read(server: Served) -> None:
    """A viewer that never acknowledges: 40 frames are acquired and written all the same."""
    ticks: list[float] = []

    async def ticker() -> None:
        while True:
            ticks.append(time.monotonic())
            await asyncio.sleep(0.005)

    ticking = asyncio.ensure_future(ticker())
    url = server.ws(FRAMES) + "?window=1"
    try:
        async with websockets.connect(url, additional_headers=server.headers("observer")) as ws:
            await _json(ws)
            before = server.live.seq
            (uid,) = await run_item(server, "count", [["camera"]], {"num": 40})
            assert server.live.seq - before == 40
            header, _ = unpack_frame(await ws.recv())  # only the one frame it had credit for
            assert header["seq"] == before + 1
    finally:
        ticking.cancel()
        await asyncio.gather(ticking, return_exceptions=True)
    assert len(server.catalog[uid]["primary"].frames("scope-camera-image")) == 40
    stall = max(b - a for a, b in itertools.pairwise(ticks))
    assert stall < 1.0, f"the loop stalled {stall:.3f} s"


async def test_the_tap_publishes_the_written_frame_itself(tmp_path: Path) -> None:
    live = LiveFrames()
    scope = await tapped_scope(tmp_path, live)
    written: list[np.ndarray[Any, Any]] = []
    tap = scope.camera.writer
    assert tap is not None
    real_write = tap.writer.write  # type: ignore[attr-defined]

    async def write(frame: np.ndarray[Any, Any]) -> int:
        written.append(frame)
        return int(await real_write(frame))

    tap.writer.write = write  # type: ignore[attr-defined]
    await scope.camera.stage()
    try:
        await scope.camera.trigger()
    finally:
        await scope.camera.unstage()
    assert live.latest is not None
    assert live.latest.frame is written[0]  # the same array: no copy on the acquisition path
    assert live.latest.channel == "scope-camera-image"
    assert live.latest.pixel_size_um == 0.5


# --- the live view plan --------------------------------------------------------------------


async def test_live_view_shows_frames_and_saves_none(tmp_path: Path) -> None:
    live = LiveFrames()
    scope = await tapped_scope(tmp_path, live)
    engine = Engine({}, handle_sigint=False)
    await engine(live_view(scope.camera, frames=5))
    assert live.seq == 5
    tap = scope.camera.writer
    assert tap is not None
    assert tap.get_indices_written() == 0
    assert tap.saving is True  # back to saving once the live view ends


async def test_live_view_refuses_a_camera_without_a_tap_before_anything_moves() -> None:
    scope = Microscope(seed=1, realtime=False)
    await scope.connect()
    engine = Engine({}, handle_sigint=False)
    with pytest.raises(ValueError, match="writer is a FrameTap"):
        await engine(live_view(scope.camera))
    with pytest.raises(ValueError, match="frames must be >= 0"):
        await engine(live_view(scope.camera, frames=-1))


async def test_the_page_needs_no_key(server: Served) -> None:
    async with httpx.AsyncClient(base_url=server.url) as client:
        page = await client.get("/")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        script = await client.get("/static/app.js")
        assert script.status_code == 200
        assert (await client.get("/static/nothing.js")).status_code == 404


# --- click to move -------------------------------------------------------------------------


async def test_move_by_moves_the_stage_and_refuses_bad_offsets(server: Served) -> None:
    devices = server.server.environment.devices  # type: ignore[union-attr]
    x0 = (await devices["x"].locate())["setpoint"]
    y0 = (await devices["y"].locate())["setpoint"]
    async with httpx.AsyncClient(base_url=server.url, headers=server.headers("user")) as client:
        moved = (await client.post("/api/live/move_by", json={"dx_um": 5, "dy_um": -2.5})).json()
        assert moved["success"] is True, moved
        assert moved["position"] == {"x": x0 + 5, "y": y0 - 2.5}
        assert (await devices["x"].locate())["readback"] == pytest.approx(x0 + 5)
        assert (await devices["y"].locate())["readback"] == pytest.approx(y0 - 2.5)
        bad = await client.post("/api/live/move_by", json={"dx_um": "far", "dy_um": 0})
        assert bad.status_code == 400
        assert "'dx_um' must be a finite number" in bad.json()["detail"]
        extra = await client.post("/api/live/move_by", json={"dx_um": 1, "dy_um": 1, "z": 3})
        assert "unknown parameters: z" in extra.json()["detail"]
    async with httpx.AsyncClient(base_url=server.url, headers=server.headers("observer")) as c:
        refused = await c.post("/api/live/move_by", json={"dx_um": 1, "dy_um": 1})
        assert refused.status_code == 403


async def test_move_by_is_refused_while_the_running_plan_drives_the_stage(server: Served) -> None:
    item = {"item_type": "plan", "name": "scan", "args": [["camera"], "x", 0, 1000]}
    item["kwargs"] = {"num": 200}
    async with httpx.AsyncClient(base_url=server.url, headers=server.headers("user")) as client:
        assert (await client.post("/api/queue/item/execute", json={"item": item})).json()["success"]
        answer = (await client.post("/api/live/move_by", json={"dx_um": 1, "dy_um": 1})).json()
        await server.server.wait_idle()
    assert answer["success"] is False
    assert "the running plan drives the stage" in answer["msg"]

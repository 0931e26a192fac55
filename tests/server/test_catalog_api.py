"""The catalog routes: search by metadata, a run's metadata and streams, frames as files."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import numpy as np
import pytest
import tifffile
from _live_env import Served, run_item, served
from PIL import Image


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[Served]:
    async with served(tmp_path) as running:
        yield running


@pytest.fixture
async def client(server: Served) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, headers=server.headers("observer")) as c:
        yield c


@pytest.fixture
async def run_uid(server: Served) -> str:
    (uid,) = await run_item(server, "count", [["camera"]], {"num": 3, "md": {"sample": "beads"}})
    return uid


async def test_search_by_metadata_and_text(client: httpx.AsyncClient, run_uid: str) -> None:
    found = (await client.get("/api/catalog/search", params={"meta.sample": "beads"})).json()
    assert [r["uid"] for r in found["runs"]] == [run_uid]
    assert found["count"] == 1
    (summary,) = found["runs"]
    assert summary["plan_name"] == "count"
    assert summary["num_events"] == 3
    assert summary["images"] == {"primary": ["scope-camera-image"]}
    none = (await client.get("/api/catalog/search", params={"meta.sample": "cells"})).json()
    assert none == {"runs": [], "count": 0}
    text = (await client.get("/api/catalog/search", params={"text": "beads"})).json()
    assert [r["uid"] for r in text["runs"]] == [run_uid]
    every = (await client.get("/api/catalog/search", params={"limit": "1"})).json()
    assert len(every["runs"]) == 1


async def test_bad_searches_are_400_naming_the_problem(client: httpx.AsyncClient) -> None:
    reply = await client.get("/api/catalog/search", params={"sample": "beads"})
    assert reply.status_code == 400
    assert "unknown search parameter 'sample'" in reply.json()["detail"]
    reply = await client.get("/api/catalog/search", params={"limit": "0"})
    assert reply.status_code == 400
    assert "'limit'" in reply.json()["detail"]
    reply = await client.get("/api/catalog/search", params={"text": "AND ("})
    assert reply.status_code == 400
    assert "full-text" in reply.json()["detail"]


async def test_run_metadata_and_stream_data(client: httpx.AsyncClient, run_uid: str) -> None:
    run = (await client.get(f"/api/catalog/runs/{run_uid[:8]}")).json()
    assert run["uid"] == run_uid
    assert run["start"]["sample"] == "beads"
    assert run["stop"]["exit_status"] == "success"
    assert run["streams"]["primary"]["length"] == 3
    assert run["streams"]["primary"]["data_keys"]["scope-camera-image"]["external"] == "STREAM:"
    stream = (await client.get(f"/api/catalog/runs/{run_uid}/streams/primary")).json()
    assert len(stream["data"]["scope-camera-mean"]) == 3
    assert stream["data"]["seq_num"] == [1, 2, 3]
    assert stream["frames"]["scope-camera-image"] == {"length": 3, "shape": [32, 32]}


async def test_frames_as_npy_tiff_and_png(
    client: httpx.AsyncClient, server: Served, run_uid: str
) -> None:
    stored = np.asarray(server.catalog[run_uid]["primary"].frames("scope-camera-image")[1])
    base = f"/api/catalog/runs/{run_uid}/streams/primary/frames/scope-camera-image/1"
    npy = await client.get(base, params={"format": "npy"})
    assert npy.headers["content-type"] == "application/octet-stream"
    np.testing.assert_array_equal(np.load(io.BytesIO(npy.content)), stored)
    tiff = await client.get(base, params={"format": "tiff"})
    np.testing.assert_array_equal(tifffile.imread(io.BytesIO(tiff.content)), stored)
    png = await client.get(base)
    assert png.headers["content-type"] == "image/png"
    image = np.asarray(Image.open(io.BytesIO(png.content)))
    assert image.dtype == np.uint8
    assert image.shape == stored.shape
    assert image.min() == 0
    assert image.max() == 255  # auto-contrast spans the 8 bits
    brighter = stored > np.median(stored)
    assert image[brighter].mean() > image[~brighter].mean()
    thumb = await client.get(base, params={"size": "16"})
    assert Image.open(io.BytesIO(thumb.content)).size == (16, 16)


async def test_missing_runs_streams_and_frames_are_404(
    client: httpx.AsyncClient, run_uid: str
) -> None:
    reply = await client.get("/api/catalog/runs/ffffffff")
    assert reply.status_code == 404
    assert "ffffffff" in reply.json()["detail"]
    reply = await client.get(f"/api/catalog/runs/{run_uid}/streams/baseline")
    assert reply.status_code == 404
    frames = f"/api/catalog/runs/{run_uid}/streams/primary/frames"
    reply = await client.get(f"{frames}/scope-camera-image/3")
    assert reply.status_code == 404
    assert "has 3 frames, no frame 3" in reply.json()["detail"]
    reply = await client.get(f"{frames}/nothing/0")
    assert reply.status_code == 404
    reply = await client.get(f"{frames}/scope-camera-image/0", params={"format": "gif"})
    assert reply.status_code == 400
    assert "unknown format 'gif'" in reply.json()["detail"]


async def test_keys_are_required(server: Served) -> None:
    async with httpx.AsyncClient(base_url=server.url) as anonymous:
        assert (await anonymous.get("/api/catalog/search")).status_code == 401


async def test_a_server_without_a_catalog_says_so(
    http_url: str, keys: tuple[object, dict[str, str]]
) -> None:
    headers = {"Authorization": f"ApiKey {keys[1]['observer']}"}
    async with httpx.AsyncClient(base_url=http_url, headers=headers) as c:
        reply = await c.get("/api/catalog/search")
    assert reply.status_code == 503
    assert "no catalog" in reply.json()["detail"]

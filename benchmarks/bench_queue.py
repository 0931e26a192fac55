"""Benchmark the queue server against bluesky-queueserver + bluesky-httpserver (+ Redis).

Both servers run as their own processes on loopback, serve the same trivial plan
(``count([det], num=1)``: a soft detector here, ophyd's ``det`` there) and are driven by the
same client, bluesky-queueserver-api's HTTP ``REManagerAPI``. Both servers run at once and
every repetition alternates between them, so both see the same load on a shared machine.
Reported (medians):

- add -> start: from sending ``item add`` (autostart on) to the plan's start document's time;
- throughput: items per second through the queue (a batch queued, then ``queue start``, to
  the last item's stop time in the history);
- status: from sending ``item add`` (queue stopped) to a client seeing the new queue — pushed
  over ``/api/status/ws`` by skyscope, polled from ``/api/status`` as fast as one client can
  by the anchor (it has no push).

Needs ``pip install bluesky-queueserver bluesky-httpserver bluesky-queueserver-api`` and
``redis-server`` (Debian). The last line is JSON with the figures; ``--quick`` in under a minute.
Goal: >= 10x lower latencies and >= 10x the throughput. ``--profile FILE`` runs skyscope's
server under cProfile, saves its statistics to FILE and prints where its time went.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pstats
import shutil
import socket
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

import httpx
import websockets
from bluesky_queueserver_api import BPlan
from bluesky_queueserver_api.http.aio import REManagerAPI

from skyscope.broker import Catalog

KEY = "benchqueuekey0123456789"  # bluesky-httpserver takes alphanumeric keys only
SRC = Path(__file__).resolve().parents[1] / "src"

SKYSCOPE_STARTUP = """
from skyscope.devices import SoftDetector
from skyscope.plans import count

det = SoftDetector("det")
devices = {"det": det}
plans = [count]
"""

BLUESKY_STARTUP = """
import json, os
from bluesky import RunEngine
from bluesky.plans import count
from ophyd.sim import det

RE = RunEngine({})
_starts = open(os.environ["BENCH_STARTS"], "a")

def _record(name, doc):
    if name == "start":
        _starts.write(json.dumps({"uid": doc["uid"], "time": doc["time"]}) + "\\n")
        _starts.flush()

RE.subscribe(_record)
"""

PERMISSIONS = """
user_groups:
  root:
    allowed_plans: [null]
    forbidden_plans: [null]
    allowed_devices: [null]
    forbidden_devices: [null]
  primary:
    allowed_plans: [":.*"]
    forbidden_plans: [null]
    allowed_devices: [":.*"]
    forbidden_devices: [null]
  admin:
    allowed_plans: [":.*"]
    forbidden_plans: [null]
    allowed_devices: [":.*"]
    forbidden_devices: [null]
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def wait_http(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(headers={"Authorization": f"ApiKey {KEY}"}) as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get(url + "/api/status")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


class Skyscope:
    name = "skyscope"

    def __init__(self, folder: Path, profile: Path | None = None) -> None:
        self.folder, self.profile = folder, profile
        self.procs: list[asyncio.subprocess.Process] = []
        self.status_ws = True

    async def start(self) -> str:
        startup = self.folder / "startup.py"
        startup.write_text(SKYSCOPE_STARTUP)
        env = {
            **os.environ,
            "SKYSCOPE_DATA_DIR": str(self.folder),
            "SKYSCOPE_SINGLE_USER_API_KEY": KEY,
            "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
        }
        port = free_port()
        profiler = ["-m", "cProfile", "-o", str(self.profile)] if self.profile else []
        proc = await asyncio.create_subprocess_exec(
            sys.executable, *profiler, "-m", "skyscope", "serve", "--startup", str(startup),
            "--port", str(port), env=env, stdout=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        self.procs.append(proc)
        self.url = f"http://127.0.0.1:{port}"
        await wait_http(self.url)
        return self.url

    def start_times(self, uids: list[str]) -> dict[str, float]:
        with Catalog(self.folder / "catalog.sqlite", readonly=True) as catalog:
            return {uid: float(catalog[uid].start["time"]) for uid in uids}

    async def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.returncode is None:
                proc.terminate()
                await proc.wait()


class BlueskyQueueServer(Skyscope):
    name = "bluesky-queueserver"

    async def start(self) -> str:
        if shutil.which("redis-server") is None:
            raise SystemExit("the anchor needs redis-server: apt-get install redis-server")
        self.status_ws = False
        startup = self.folder / "startup"
        startup.mkdir()
        (startup / "startup.py").write_text(BLUESKY_STARTUP)
        (startup / "user_group_permissions.yaml").write_text(PERMISSIONS)
        self.starts = self.folder / "starts.jsonl"
        redis, control, info, http = free_port(), free_port(), free_port(), free_port()
        quiet = {"stdout": asyncio.subprocess.DEVNULL, "stderr": asyncio.subprocess.DEVNULL}
        self.procs.append(await asyncio.create_subprocess_exec(
            "redis-server", "--port", str(redis), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", **quiet,
        ))  # fmt: skip
        env = {**os.environ, "BENCH_STARTS": str(self.starts)}
        manager_log = (self.folder / "manager.log").open("w")
        self.procs.append(await asyncio.create_subprocess_exec(
            "start-re-manager", "--redis-addr", f"127.0.0.1:{redis}",
            "--zmq-control-addr", f"tcp://127.0.0.1:{control}",
            "--zmq-info-addr", f"tcp://127.0.0.1:{info}",
            "--startup-dir", str(startup),
            "--existing-plans-devices", str(startup / "existing_plans_and_devices.yaml"),
            "--update-existing-plans-devices", "ENVIRONMENT_OPEN",
            "--user-group-permissions", str(startup / "user_group_permissions.yaml"),
            env=env, stdout=manager_log, stderr=manager_log,
        ))  # fmt: skip
        env = {
            **os.environ,
            "QSERVER_ZMQ_CONTROL_ADDRESS": f"tcp://127.0.0.1:{control}",
            "QSERVER_ZMQ_INFO_ADDRESS": f"tcp://127.0.0.1:{info}",
            "QSERVER_HTTP_SERVER_SINGLE_USER_API_KEY": KEY,
        }
        log = (self.folder / "httpserver.log").open("w")
        self.procs.append(await asyncio.create_subprocess_exec(
            sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(http),
            "--log-level", "warning", "bluesky_httpserver.server:app", env=env,
            stdout=log, stderr=log,
        ))  # fmt: skip
        self.url = f"http://127.0.0.1:{http}"
        await wait_http(self.url)
        return self.url

    def start_times(self, uids: list[str]) -> dict[str, float]:
        times = {}
        for line in self.starts.read_text().splitlines():
            doc = json.loads(line)
            times[doc["uid"]] = doc["time"]
        return {uid: times[uid] for uid in uids}


async def history_size(api: Any) -> int:
    return int((await api.status(reload=True))["items_in_history"])


async def add_to_start(server: Skyscope, api: Any, reps: int) -> list[float]:
    await api.queue_autostart(True)
    sent: dict[str, float] = {}
    for _ in range(reps):
        done = await history_size(api)
        t0 = time.time()
        item = (await api.item_add(BPlan("count", ["det"], num=1)))["item"]
        sent[item["item_uid"]] = t0
        await api.wait_for_condition(lambda s, n=done: s["items_in_history"] > n, timeout=60)
    await api.queue_autostart(False)
    history = (await api.history_get())["items"]
    runs = {h["item_uid"]: h["result"]["run_uids"][0] for h in history if h["item_uid"] in sent}
    starts = server.start_times(list(runs.values()))
    return [starts[runs[uid]] - t0 for uid, t0 in sent.items()]


async def throughput(api: Any, n: int) -> float:
    await api.item_add_batch([BPlan("count", ["det"], num=1) for _ in range(n)])
    t0 = time.time()
    await api.queue_start()
    await api.wait_for_idle(timeout=600)
    history = (await api.history_get())["items"][-n:]
    return n / (max(h["result"]["time_stop"] for h in history) - t0)


async def status_latency(server: Skyscope, reps: int) -> list[float]:
    header = {"Authorization": f"ApiKey {KEY}"}
    latencies = []
    async with httpx.AsyncClient(base_url=server.url, headers=header) as client:
        for _ in range(reps):
            before = (await client.get("/api/status")).json()["plan_queue_uid"]
            if server.status_ws:
                ws_url = server.url.replace("http://", "ws://") + "/api/status/ws"
                async with websockets.connect(ws_url, additional_headers=header) as ws:
                    await ws.recv()  # the current status
                    t0 = time.time()
                    adding = asyncio.create_task(_add(client))
                    while json.loads(await ws.recv())["msg"]["status"]["plan_queue_uid"] == before:
                        pass
                    latencies.append(time.time() - t0)
                    await adding
            else:
                t0 = time.time()
                adding = asyncio.create_task(_add(client))
                while (await client.get("/api/status")).json()["plan_queue_uid"] == before:
                    pass
                latencies.append(time.time() - t0)
                await adding
            await client.post("/api/queue/clear", json={})
    return latencies


async def _add(client: httpx.AsyncClient) -> None:
    item = {"item_type": "plan", "name": "count", "args": [["det"]], "kwargs": {"num": 1}}
    reply = (await client.post("/api/queue/item/add", json={"item": item})).json()
    assert reply["success"], reply


async def open_api(server: Skyscope) -> Any:
    """Start ``server`` and return the client, its environment open and warmed up."""
    try:
        url = await server.start()
    except BaseException:
        await server.stop()
        raise
    api = REManagerAPI(http_server_uri=url, status_polling_period=0.01, timeout=30)
    api.set_authorization_key(api_key=KEY)
    if not (await api.status(reload=True))["worker_environment_exists"]:
        await api.environment_open()
        await api.wait_for_condition(lambda s: s["worker_environment_exists"], timeout=60)
    await add_to_start(server, api, 2)  # warm up
    return api


async def interleaved(servers: list[Skyscope], quick: bool) -> dict[str, dict[str, float]]:
    """Every measurement taken on each server in turn, so both see the same machine load.

    The machine is shared and noisy: measuring one server and then the other would compare
    two different loads, so both run at once and each repetition alternates between them.
    """
    apis = [await open_api(server) for server in servers]
    reps = 8 if quick else 30
    latency: dict[str, list[float]] = {s.name: [] for s in servers}
    rate: dict[str, list[float]] = {s.name: [] for s in servers}
    status: dict[str, list[float]] = {s.name: [] for s in servers}
    try:
        for _ in range(reps):
            for server, api in zip(servers, apis, strict=True):
                latency[server.name] += await add_to_start(server, api, 1)
                status[server.name] += await status_latency(server, 1)
        for _ in range(2 if quick else 3):
            for server, api in zip(servers, apis, strict=True):
                rate[server.name].append(await throughput(api, 8 if quick else 100))
    except BaseException:
        for server in servers:
            for log in server.folder.glob("*.log"):
                print(f"--- {log.name}:", *log.read_text().splitlines()[-25:], sep="\n")
        raise
    finally:
        for api in apis:
            await api.close()
    return {
        s.name: {
            "add_to_start_s": statistics.median(latency[s.name]),
            "items_per_s": statistics.median(rate[s.name]),
            "status_s": statistics.median(status[s.name]),
        }
        for s in servers
    }


async def main_async(quick: bool, profile: Path | None = None) -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory(prefix="bench-queue-") as sky_dir,
        tempfile.TemporaryDirectory(prefix="bench-queue-") as anchor_dir,
    ):
        servers = [Skyscope(Path(sky_dir), profile), BlueskyQueueServer(Path(anchor_dir))]
        try:
            figures: dict[str, Any] = await interleaved(servers, quick)
        finally:
            for server in servers:
                await server.stop()
    for name, result in list(figures.items()):
        print(
            f"{name:>20}: add->start {result['add_to_start_s'] * 1e3:8.2f} ms  "
            f"{result['items_per_s']:8.1f} items/s  status {result['status_s'] * 1e3:8.2f} ms",
            flush=True,
        )
    sky, anchor = figures["skyscope"], figures["bluesky-queueserver"]
    figures["speedup_add_to_start"] = anchor["add_to_start_s"] / sky["add_to_start_s"]
    figures["speedup_throughput"] = sky["items_per_s"] / anchor["items_per_s"]
    figures["speedup_status"] = anchor["status_s"] / sky["status_s"]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=textwrap.dedent(__doc__ or ""))
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (< 1 minute)")
    parser.add_argument(
        "--profile", type=Path, metavar="FILE", help="cProfile skyscope's server into FILE"
    )
    args = parser.parse_args()
    figures = asyncio.run(main_async(args.quick, args.profile))
    if args.profile is not None:
        stats = pstats.Stats(str(args.profile))
        # the server's own code and its HTTP stack (the loop's idle wait and imports left out)
        stats.sort_stats("tottime").print_stats("skyscope|uvicorn|starlette", 25)
    for what in ("add_to_start", "throughput", "status"):
        print(f"speedup {what}: {figures[f'speedup_{what}']:.1f}x")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

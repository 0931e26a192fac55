"""Lock, functions, scripts, tasks, console, auth keys and the rest, through REManagerAPI."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from _server_env import PLANS, fast_scope
from bluesky_queueserver_api import BFunc, BPlan
from bluesky_queueserver_api.http.aio import REManagerAPI

from skyscope.broker import Catalog
from skyscope.engine import Engine
from skyscope.plans import is_plan_function
from skyscope.server import (
    ROLES,
    ApiKeys,
    Environment,
    HttpServer,
    LockError,
    ManagerLock,
    QueueServer,
    create_app,
    environment_from_namespace,
)


async def _environment() -> Environment:
    """The fast microscope, the test plans, and functions the startup exposes."""
    scope = await fast_scope()

    def add(a: float, b: float) -> float:
        print(f"adding {a} and {b} on thread {threading.current_thread().name}")
        return a + b

    async def exposure() -> float:
        return float(await scope.camera.exposure.get_value())

    def fail() -> None:
        raise ValueError("this function always fails")

    def secret() -> str:
        return "no group may call me"

    namespace: dict[str, Any] = {
        "__name__": "test_startup",
        "devices": {"camera": scope.camera, "x": scope.xy.x},
        "plans": [p for p in PLANS if is_plan_function(p)],
        "functions": [add, exposure, fail, secret],
    }
    return await environment_from_namespace(namespace)


PERMISSIONS = {
    "user_groups": {
        "root": {"allowed_plans": [None], "allowed_devices": [None], "allowed_functions": [None]},
        "primary": {
            "allowed_plans": [":.*"],
            "allowed_devices": [":.*"],
            "allowed_functions": [":.*"],
            "forbidden_functions": ["secret"],
        },
    }
}


async def _serve(tmp_path: Path, *, allow_script_upload: bool) -> AsyncIterator[tuple[str, str]]:
    ring = ApiKeys(None)
    admin = ring.create("admin", name="ada")
    with Catalog(tmp_path / "catalog.sqlite") as catalog:
        engine = Engine({}, handle_sigint=False)
        engine.subscribe(catalog)
        server = QueueServer(
            _environment,
            engine=engine,
            store_path=tmp_path / "queue.json",
            permissions=PERMISSIONS,
            allow_script_upload=allow_script_upload,
        )
        try:
            await server.start()
            http = HttpServer(create_app(server, ring), host="127.0.0.1", port=0)
            await http.start()
            try:
                yield http.url, admin
            finally:
                await http.stop()
        finally:
            await server.close()


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[str, str]]:
    async for pair in _serve(tmp_path, allow_script_upload=False):
        yield pair


@pytest.fixture
async def manager(served: tuple[str, str]) -> AsyncIterator[Any]:
    api = REManagerAPI(http_server_uri=served[0], status_polling_period=0.05)
    api.set_authorization_key(api_key=served[1])
    api.request_fail_exceptions_enabled = False
    yield api
    await api.close()


async def test_a_locked_queue_needs_the_key_and_the_environment_stays_free(manager: Any) -> None:
    locked = await manager.lock_queue("s3cret", note="aligning the laser")
    assert locked["success"] is True, locked
    assert locked["lock_info"]["queue"] is True
    assert locked["lock_info"]["environment"] is False
    assert locked["lock_info"]["user"] == "ada"
    status = await manager.status(reload=True)
    assert status["lock"] == {"environment": False, "queue": True}
    refused = await manager.item_add(BPlan("count", ["camera"], num=1))
    assert refused["success"] is False
    assert "the queue is locked" in refused["msg"]
    assert "aligning the laser" in refused["msg"]
    assert (await manager.queue_get())["items"] == []
    added = await manager.item_add(BPlan("count", ["camera"], num=1), lock_key="s3cret")
    assert added["success"] is True, added
    assert (await manager.queue_autostart(False))["success"] is True  # environment: unlocked
    assert (await manager.lock_info(lock_key="wrong"))["success"] is False
    assert (await manager.unlock("wrong"))["success"] is False
    unlocked = await manager.unlock("s3cret")
    assert unlocked["success"] is True
    assert unlocked["lock_info"]["queue"] is False
    assert (await manager.item_remove())["success"] is True


async def test_a_locked_environment_refuses_control_without_the_key(manager: Any) -> None:
    assert (await manager.lock_environment("k1"))["success"] is True
    assert (await manager.lock_environment("k2"))["success"] is False  # another key
    assert (await manager.item_add(BPlan("count", ["camera"], num=1)))["success"] is True
    refused = await manager.queue_start()
    assert refused["success"] is False
    assert "the environment is locked" in refused["msg"]
    assert (await manager.status(reload=True))["manager_state"] == "idle"
    assert (await manager.queue_start(lock_key="k1"))["success"] is True
    await manager.wait_for_idle(timeout=30)
    assert len((await manager.history_get())["items"]) == 1
    assert (await manager.unlock("k1"))["success"] is True


def test_the_emergency_key_only_unlocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKYSCOPE_EMERGENCY_LOCK_KEY", "break-glass")
    lock = ManagerLock()
    lock.lock("lost", user="bob", environment=True)
    with pytest.raises(LockError, match="environment is locked"):
        lock.check("break-glass", environment=True)
    with pytest.raises(LockError, match="set 'environment' and/or 'queue'"):
        ManagerLock().lock("k", user="bob")
    assert lock.info()["emergency_lock_key_is_set"] is True
    lock.unlock("break-glass")
    assert not lock.is_set


async def test_functions_run_as_tasks_with_their_results(manager: Any) -> None:
    started = await manager.function_execute(BFunc("add", 2, b=3))
    assert started["success"] is True, started
    assert started["item"]["user"] == "ada"
    uid = started["task_uid"]
    await manager.wait_for_completed_task(uid, timeout=30)
    assert (await manager.task_status(uid))["status"] == "completed"
    result = (await manager.task_result(uid))["result"]
    assert result["success"] is True
    assert result["return_value"] == 5
    assert result["time_stop"] >= result["time_start"]
    # an async function runs on the loop, beside nothing else
    uid = (await manager.function_execute(BFunc("exposure")))["task_uid"]
    await manager.wait_for_completed_task(uid, timeout=30)
    assert (await manager.task_result(uid))["result"]["return_value"] == pytest.approx(0.001)
    # a failing function: a completed task with the error and its traceback
    uid = (await manager.function_execute(BFunc("fail"), run_in_background=True))["task_uid"]
    await manager.wait_for_completed_task(uid, timeout=30)
    failed = (await manager.task_result(uid))["result"]
    assert failed["success"] is False
    assert "this function always fails" in failed["msg"]
    assert "ValueError" in failed["traceback"]
    statuses = (await manager.task_status([uid, "nope"]))["status"]
    assert statuses == {uid: "completed", "nope": "not_found"}


async def test_functions_are_refused_when_unknown_or_forbidden(manager: Any) -> None:
    unknown = await manager.function_execute(BFunc("rm_rf"))
    assert unknown["success"] is False
    assert "unknown function 'rm_rf'" in unknown["msg"]
    assert "add" in unknown["msg"]
    forbidden = await manager.function_execute(BFunc("secret"))
    assert forbidden["success"] is False
    assert "may not call the function 'secret'" in forbidden["msg"]


async def test_console_output_carries_the_log_lines(manager: Any) -> None:
    manager.console_monitor.enable()
    seen = ""
    while "the manager was locked by ada" not in seen:
        # the monitor reads what comes after its first poll: lock until it has seen a lock
        assert (await manager.lock_queue("k", note="console check"))["success"] is True
        assert (await manager.unlock("k"))["success"] is True
        with contextlib.suppress(manager.RequestTimeoutError):
            seen += (await manager.console_monitor.next_msg(timeout=0.5))["msg"]
    manager.console_monitor.disable()
    assert "console check" in seen
    text = await manager.send_request(method=("GET", "/api/console_output"), params={"nlines": 5})
    assert "the manager was locked by ada" in text["text"]
    uid_reply = await manager.send_request(method=("GET", "/api/console_output/uid"))
    assert uid_reply["console_output_uid"]


async def test_console_and_info_websockets(served: tuple[str, str], manager: Any) -> None:
    url, key = served
    header = {"Authorization": f"ApiKey {key}"}
    base = url.replace("http://", "ws://")
    async with (
        websockets.connect(base + "/api/console_output/ws", additional_headers=header) as console,
        websockets.connect(base + "/api/info/ws", additional_headers=header) as info,
    ):
        first = json.loads(await info.recv())["msg"]["status"]
        uid = (await manager.function_execute(BFunc("add", 4, 4)))["task_uid"]
        assert (await manager.lock_queue("k"))["success"] is True
        text = ""
        while "the manager was locked by ada" not in text:
            text += json.loads(await asyncio.wait_for(console.recv(), 10))["msg"]
        assert (await manager.unlock("k"))["success"] is True
        while True:
            status = json.loads(await asyncio.wait_for(info.recv(), 10))["msg"]["status"]
            assert status["seq"] > first["seq"]
            if status["task_results_uid"] != first["task_results_uid"]:
                break
    assert (await manager.task_result(uid))["result"]["return_value"] == 8


async def test_script_upload_is_refused_unless_the_server_allows_it(manager: Any) -> None:
    refused = await manager.script_upload("x = 1\n")
    assert refused["success"] is False
    assert "--allow-script-upload" in refused["msg"]


async def test_an_allowed_script_adds_plans_and_functions(tmp_path: Path) -> None:
    script = (
        "from collections.abc import Sequence\n"
        "from skyscope.devices import Readable\n"
        "from skyscope.plans import count\n"
        "async def count_twice(detectors: Sequence[Readable]):\n"
        "    yield count(detectors, num=2)\n"
        "def triple(v):\n"
        "    return 3 * v\n"
        "plans.append(count_twice)\n"  # the startup lists its parts: the script extends them
        "functions.append(triple)\n"
    )
    async for url, key in _serve(tmp_path, allow_script_upload=True):
        api = REManagerAPI(http_server_uri=url, status_polling_period=0.05)
        api.set_authorization_key(api_key=key)
        api.request_fail_exceptions_enabled = False
        try:
            bad = await api.script_upload("def broken(:\n")
            assert bad["success"] is False
            assert "does not compile" in bad["msg"]
            uid = (await api.script_upload(script))["task_uid"]
            await api.wait_for_completed_task(uid, timeout=30)
            assert (await api.task_result(uid))["result"]["success"] is True
            assert "count_twice" in (await api.plans_allowed(reload=True))["plans_allowed"]
            await api.item_add(BPlan("count_twice", ["camera"]))
            await api.queue_start()
            await api.wait_for_idle(timeout=30)
            (done,) = (await api.history_get())["items"]
            assert done["result"]["exit_status"] == "completed", done["result"]["msg"]
            uid = (await api.function_execute(BFunc("triple", 7)))["task_uid"]
            await api.wait_for_completed_task(uid, timeout=30)
            assert (await api.task_result(uid))["result"]["return_value"] == 21
        finally:
            await api.close()


async def test_history_trim_move_batch_metadata_and_kernel(manager: Any) -> None:
    uids = []
    for num in (1, 2, 3):
        added = await manager.item_add(BPlan("count", ["camera"], num=num))
        uids.append(added["item"]["item_uid"])
    moved = await manager.item_move_batch(uids=[uids[2], uids[0]], pos_dest="front")
    assert moved["success"] is True, moved
    order = [i["item_uid"] for i in (await manager.queue_get())["items"]]
    assert order == [uids[2], uids[0], uids[1]]
    await manager.queue_start()
    await manager.wait_for_idle(timeout=30)
    history = (await manager.history_get())["items"]
    assert len(history) == 3
    assert (await manager.history_clear(size=1))["success"] is True
    assert [h["item_uid"] for h in (await manager.history_get())["items"]] == [uids[1]]
    metadata = await manager.send_request(method=("GET", "/api/re/metadata"))
    assert metadata["success"] is True
    assert isinstance(metadata["re_metadata"], dict)
    interrupt = await manager.kernel_interrupt()
    assert interrupt["success"] is False
    assert "no IPython kernel" in interrupt["msg"]
    reload = await manager.permissions_reload()
    assert reload["success"] is True


async def test_keys_are_made_described_and_revoked_by_their_owner(
    served: tuple[str, str], manager: Any
) -> None:
    assert (await manager.whoami())["identity"] == "ada"
    scopes = await manager.api_scopes()
    assert scopes["roles"] == ["admin"]
    assert set(scopes["scopes"]) == ROLES["admin"]
    made = await manager.apikey_new(expires_in=600, scopes=["read:status", "read:queue"])
    assert made["success"] is True, made
    narrow = REManagerAPI(http_server_uri=served[0], status_polling_period=0.05)
    narrow.set_authorization_key(api_key=made["secret"])
    try:
        info = await narrow.apikey_info()
        assert info["scopes"] == ["read:queue", "read:status"]
        assert info["first_eight"] == made["first_eight"]
        assert (await narrow.queue_get())["success"] is True
        async with httpx.AsyncClient(base_url=served[0]) as client:
            header = {"Authorization": f"ApiKey {made['secret']}"}
            reply = await client.post("/api/queue/clear", json={}, headers=header)
            assert reply.status_code == 403
            deleted = await manager.apikey_delete(first_eight=made["first_eight"])
            assert deleted["success"] is True, deleted
            reply = await client.get("/api/status", headers=header)
            assert reply.status_code == 401
    finally:
        await narrow.close()


async def test_a_lock_survives_a_restart_and_only_its_hash_is_saved(tmp_path: Path) -> None:
    def server() -> QueueServer:
        engine = Engine({}, handle_sigint=False)
        return QueueServer(_environment, engine=engine, store_path=tmp_path / "queue.json")

    first = server()
    await first.start(open_environment=False)
    first.manager_lock("my-lock-key", user="ada", queue=True, note="overnight")
    await first.close()
    assert "my-lock-key" not in (tmp_path / "queue.json").read_text()
    again = server()
    await again.start(open_environment=False)
    try:
        assert again.lock_info()["lock_info"]["queue"] is True
        assert again.status()["lock"] == {"environment": False, "queue": True}
        with pytest.raises(LockError, match="overnight"):
            again.lock.check(None, queue=True)
        again.manager_unlock("my-lock-key")
        assert not again.lock.is_set
    finally:
        await again.close()

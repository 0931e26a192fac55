"""Every route refuses a missing key (401) and a role lacking its scope (403).

The table is generated from the app's own routes, so a route added without a scope, or with a
scope no test knows, fails here rather than slipping through unguarded.
"""

from __future__ import annotations

import httpx
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from skyscope.server import ROLES, ApiKeys, QueueServer, create_app, route_table


async def _status_of(
    client: httpx.AsyncClient, method: str, path: str, headers: dict[str, str]
) -> int:
    if method == "WEBSOCKET":
        ws_url = str(client.base_url).rstrip("/").replace("http://", "ws://") + path
        try:
            async with websockets.connect(ws_url, additional_headers=headers):
                pass  # accepted (some streams only speak when there is something to say)
        except InvalidStatus as refused:
            return refused.response.status_code
        return 101
    # an empty object: the request is authorized (or not) before its parameters matter
    reply = await client.request(method, path, json={}, headers=headers)
    return reply.status_code


def _table(queue_server: QueueServer) -> dict[tuple[str, str], str]:
    return dict(route_table(create_app(queue_server, ApiKeys(None))))


async def test_the_table_covers_every_route_and_scope(queue_server: QueueServer) -> None:
    table = _table(queue_server)
    assert ("POST", "/api/queue/item/add") in table
    assert ("WEBSOCKET", "/api/status/ws") in table
    assert ("WEBSOCKET", "/api/console_output/ws") in table
    assert ("DELETE", "/api/auth/apikey") in table
    every_scope = set().union(*ROLES.values())
    assert set(table.values()) <= every_scope


async def test_openapi_describes_every_keyed_route_with_its_scope(
    queue_server: QueueServer,
) -> None:
    app = create_app(queue_server, ApiKeys(None))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://x") as c:
        spec = (await c.get("/openapi.json")).json()
    described = {
        ("WEBSOCKET" if op.get("x-websocket") else method.upper(), path): op["description"]
        for path, methods in spec["paths"].items()
        for method, op in methods.items()
    }
    missing = set(route_table(app)) - set(described)
    assert not missing, f"routes /openapi.json does not describe: {sorted(missing)}"
    wrong = {r: s for r, s in route_table(app).items() if f"`{s}`" not in described[r]}
    assert not wrong, f"routes described with another scope: {wrong}"


async def test_every_route_without_a_key_is_401(
    queue_server: QueueServer, http_url: str, keys: tuple[ApiKeys, dict[str, str]]
) -> None:
    refused = {}
    async with httpx.AsyncClient(base_url=http_url) as client:
        for method, path in _table(queue_server):
            for headers in ({}, {"Authorization": "ApiKey nokey"}, {"Authorization": "Bearer x"}):
                code = await _status_of(client, method, path, headers)
                refused[(method, path, str(headers))] = code
    assert set(refused.values()) == {401}, {k: v for k, v in refused.items() if v != 401}


@pytest.mark.parametrize("role", sorted(ROLES))
async def test_each_role_is_403_exactly_where_it_lacks_the_scope(
    queue_server: QueueServer, http_url: str, keys: tuple[ApiKeys, dict[str, str]], role: str
) -> None:
    headers = {"Authorization": f"ApiKey {keys[1][role]}"}
    wrong = {}
    async with httpx.AsyncClient(base_url=http_url) as client:
        for (method, path), scope in _table(queue_server).items():
            if path in ("/api/environment/close", "/api/environment/destroy"):
                continue  # allowed ones would close the environment the other routes need
            code = await _status_of(client, method, path, headers)
            expected_refusal = scope not in ROLES[role]
            if (code == 403) != expected_refusal or code in (401, 500):
                wrong[(method, path)] = (scope, code)
    assert wrong == {}


async def test_an_observer_reads_but_cannot_edit(
    http_url: str, keys: tuple[ApiKeys, dict[str, str]]
) -> None:
    headers = {"Authorization": f"ApiKey {keys[1]['observer']}"}
    async with httpx.AsyncClient(base_url=http_url, headers=headers) as client:
        assert (await client.get("/api/queue/get")).json()["success"] is True
        item = {"item_type": "plan", "name": "count", "args": [["camera"]]}
        reply = await client.post("/api/queue/item/add", json={"item": item})
        assert reply.status_code == 403
        assert "write:queue:edit" in reply.json()["detail"]


async def test_expired_keys_and_the_single_user_key(
    queue_server: QueueServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    monkeypatch.setenv("SKYSCOPE_SINGLE_USER_API_KEY", "one-person-microscope")
    ring = ApiKeys.from_environment(None)
    single = ring.principal("ApiKey one-person-microscope")
    assert single is not None
    assert "write:queue:edit" in single.scopes
    key = ring.create("user", expires_in_s=60)
    assert ring.principal(f"ApiKey {key}") is not None
    monkeypatch.setattr(time, "time", lambda: 10.0**12)
    assert ring.principal(f"ApiKey {key}") is None


async def test_keys_are_stored_hashed(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "keys.json"
    key = ApiKeys(path).create("observer", expires_in_s=3600)
    assert key not in path.read_text()
    again = ApiKeys(path).principal(f"ApiKey {key}")
    assert again is not None
    assert again.role == "observer"

"""bluesky-httpserver's ``/api/auth`` key routes, on skyscope's API keys.

skyscope has API keys only (no login, sessions or identity providers), so of the auth routes
these make sense: who am I, which scopes, and making, describing and revoking one's own keys.
A new key gets its maker's role (narrowed to some ``scopes`` if asked) and name.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ._items import ItemError
from ._keys import ROLES, SINGLE_USER, ApiKeyError, ApiKeys, Principal
from ._manager import QueueServer
from ._route import Params, Route, only


def _ring(who: Principal) -> ApiKeys:
    if who.keys is None or (who.role not in ROLES and who.role != SINGLE_USER):
        raise ItemError("only the holder of an API key can manage API keys")
    return who.keys


async def _apikey_new(s: QueueServer, p: Params, who: Principal) -> dict[str, Any]:
    args = only(p, "expires_in", "scopes", "note")
    ring = _ring(who)
    expires = args.get("expires_in")
    scopes = args.get("scopes")
    note = args.get("note") or ""
    if expires is not None and (isinstance(expires, bool) or not isinstance(expires, int | float)):
        raise ItemError(f"'expires_in' must be a number of seconds, not {expires!r}")
    if scopes is not None and (
        not isinstance(scopes, list) or not all(isinstance(x, str) for x in scopes)
    ):
        raise ItemError("'scopes' must be a list of scope names")
    if not isinstance(note, str):
        raise ItemError("'note' must be a string")
    beyond = sorted(set(scopes or ()) - who.scopes)
    if beyond:
        raise ItemError(f"a key cannot have scopes its maker lacks: {', '.join(beyond)}")
    role = "admin" if who.role == SINGLE_USER else who.role
    try:  # the key file is written: off the loop
        secret = await asyncio.to_thread(
            ring.create, role, name=who.name, expires_in_s=expires, scopes=scopes, note=note
        )
    except ApiKeyError as error:
        raise ItemError(str(error)) from None
    made = ring.principal(f"ApiKey {secret}")
    assert made is not None  # just made
    return {"secret": secret, **ring.info(made)}


def _apikey_info(s: QueueServer, p: Params, who: Principal) -> dict[str, Any]:
    only(p)
    return _ring(who).info(who)


async def _apikey_delete(s: QueueServer, p: Params, who: Principal) -> dict[str, Any]:
    first_eight = only(p, "first_eight").get("first_eight")
    if not isinstance(first_eight, str) or not first_eight:
        raise ItemError("the request needs 'first_eight': the first 8 characters of the key")
    try:
        await asyncio.to_thread(_ring(who).revoke, first_eight, name=who.name)
    except ApiKeyError as error:
        raise ItemError(str(error)) from None
    return {}


def _scopes(s: QueueServer, p: Params, who: Principal) -> dict[str, Any]:
    only(p)
    return {"roles": [who.role], "scopes": sorted(who.scopes)}


AUTH_ROUTES: tuple[Route, ...] = (
    Route("POST", "/api/auth/apikey", "user:apikeys", _apikey_new, "Make an API key of yours."),
    Route("GET", "/api/auth/apikey", "read:status", _apikey_info, "The key you came with."),
    Route("DELETE", "/api/auth/apikey", "user:apikeys", _apikey_delete, "Revoke a key of yours."),
    Route("GET", "/api/auth/scopes", "read:status", _scopes, "Your role and scopes."),
)

"""API keys with bluesky-httpserver's roles, stored hashed with an expiry.

A client sends ``Authorization: ApiKey <key>``. Each key has a role, and each role a set of
scopes (bluesky-httpserver's names: ``read:queue``, ``write:queue:edit``...). Keys are kept in
a JSON file as SHA-256 hashes, never in clear; ``SKYSCOPE_SINGLE_USER_API_KEY`` adds one key,
with every scope, for a one-person microscope.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SINGLE_USER_ENV = "SKYSCOPE_SINGLE_USER_API_KEY"

_READ = frozenset(
    {
        "read:status",
        "read:queue",
        "read:history",
        "read:resources",
        "read:config",
        "read:monitor",
        "read:console",
        "read:lock",
        "read:testing",
        "user:apikeys",
    }
)
_WRITE = frozenset(
    {
        "write:queue:edit",
        "write:queue:control",
        "write:manager:control",
        "write:plan:control",
        "write:execute",
        "write:history:edit",
    }
)
_ADMIN = frozenset(
    {"write:permissions", "write:scripts", "write:config", "write:lock", "admin:apikeys"}
)

ROLES: dict[str, frozenset[str]] = {
    "observer": _READ,
    "user": _READ | _WRITE,
    "advanced": _READ | _WRITE,
    "admin": _READ | _WRITE | _ADMIN,
}
"""Scopes by role. As in bluesky-httpserver, ``user`` and ``advanced`` share their scopes (they
differ in the plans their user group may use); unlike it, ``admin`` can do everything (there,
an admin manages keys only), so one admin key runs a microscope alone."""

SINGLE_USER = "single_user"


class ApiKeyError(ValueError):
    """A role or expiry that makes no key."""


@dataclass(frozen=True)
class Principal:
    """Who a key belongs to: a name, a role, its scopes and the user group it acts in."""

    name: str
    role: str
    scopes: frozenset[str]
    user_group: str = "primary"
    key_id: str = ""
    """The first eight characters of the key (enough to name it, never to use it)."""
    keys: ApiKeys | None = field(default=None, compare=False, repr=False)
    """The key ring that recognised the key (to make or revoke its owner's keys)."""


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiKeys:
    """The keys a server accepts: those in its file, and the single-user key if set."""

    def __init__(self, path: Path | None = None, *, single_user_key: str | None = None) -> None:
        """Read keys from ``path`` (if it exists); ``single_user_key`` gets every scope."""
        self.path = path
        self._keys: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()  # create and revoke write the file from worker threads
        if path is not None and path.is_file():
            stored = json.loads(path.read_text(encoding="utf-8"))
            self._keys = {entry["hash"]: entry for entry in stored.get("keys", [])}
        if single_user_key:
            self._keys[_hash(single_user_key)] = {
                "hash": _hash(single_user_key),
                "role": SINGLE_USER,
                "name": "single user",
                "expires": None,
                "first_eight": single_user_key[:8],
            }

    @classmethod
    def from_environment(cls, path: Path | None = None) -> ApiKeys:
        """The keys in ``path`` plus ``$SKYSCOPE_SINGLE_USER_API_KEY``."""
        return cls(path, single_user_key=os.environ.get(SINGLE_USER_ENV) or None)

    def create(
        self,
        role: str,
        *,
        name: str = "",
        expires_in_s: float | None = None,
        scopes: Iterable[str] | None = None,
        note: str = "",
    ) -> str:
        """Make a key with ``role``; store its hash (in the file, if any); return the key.

        Writes the file: call it from a worker thread while a server runs.

        ``scopes`` narrows the key to some of its role's scopes (never more).
        """
        if role not in ROLES:
            raise ApiKeyError(f"unknown role {role!r} (roles: {', '.join(ROLES)})")
        if expires_in_s is not None and expires_in_s <= 0:
            raise ApiKeyError(f"a key must expire in the future, not in {expires_in_s} s")
        narrowed = sorted(set(scopes)) if scopes is not None else None
        beyond = sorted(set(narrowed or ()) - _role_scopes(role))
        if beyond:
            raise ApiKeyError(f"the {role!r} role has no scopes {', '.join(beyond)}")
        key = secrets.token_urlsafe(32)
        expires = time.time() + expires_in_s if expires_in_s is not None else None
        digest = _hash(key)
        entry = {
            "hash": digest,
            "role": role,
            "name": name or role,
            "expires": expires,
            "first_eight": key[:8],
            "scopes": narrowed,
            "note": note,
        }
        with self._lock:
            self._keys[digest] = entry
            self._save()
        return key

    def revoke(self, first_eight: str, *, name: str) -> None:
        """Forget ``name``'s key starting with ``first_eight`` (the single-user key stays)."""
        found = [
            d
            for d, e in self._keys.items()
            if e.get("first_eight") == first_eight
            and e["name"] == name
            and e["role"] != SINGLE_USER
        ]
        if not found:
            raise ApiKeyError(f"{name!r} has no key starting with {first_eight!r}")
        with self._lock:
            for digest in found:
                self._keys.pop(digest, None)
            self._save()

    def info(self, principal: Principal) -> dict[str, Any]:
        """What is known of the key ``principal`` came with (never the key itself)."""
        entry = next(
            (e for e in self._keys.values() if e.get("first_eight") == principal.key_id), {}
        )
        return {
            "first_eight": principal.key_id,
            "expiration_time": entry.get("expires"),
            "note": entry.get("note", ""),
            "scopes": sorted(principal.scopes),
            "role": principal.role,
        }

    def _save(self) -> None:
        if self.path is None:
            return
        stored = [e for e in list(self._keys.values()) if e["role"] != SINGLE_USER]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(self.path.name + ".partial")
        partial.write_text(json.dumps({"keys": stored}, indent=1), encoding="utf-8")
        os.chmod(partial, 0o600)
        os.replace(partial, self.path)

    def principal(self, authorization: str | None) -> Principal | None:
        """Who the ``Authorization`` header names; None for no, unknown or expired keys."""
        if not authorization:
            return None
        scheme, _, key = authorization.strip().partition(" ")
        if scheme.lower() != "apikey" or not key.strip():
            return None
        digest = _hash(key.strip())
        entry = self._keys.get(digest)
        if entry is None or not hmac.compare_digest(entry["hash"], digest):
            return None
        if entry["expires"] is not None and entry["expires"] < time.time():
            return None
        role = entry["role"]
        scopes = _role_scopes(role)
        if entry.get("scopes") is not None:
            scopes = scopes & frozenset(entry["scopes"])
        return Principal(
            name=entry["name"],
            role=role,
            scopes=scopes,
            key_id=entry.get("first_eight") or key.strip()[:8],
            keys=self,
        )


def _role_scopes(role: str) -> frozenset[str]:
    return ROLES["admin"] if role == SINGLE_USER else ROLES[role]
